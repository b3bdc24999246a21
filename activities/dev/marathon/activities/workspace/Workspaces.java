package dev.marathon.activities.workspace;

import dev.marathon.workflows.api.WorkspaceKey;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The workspaces on this machine, one object per run so that the run's lock and what this
 * process knows about its state are shared by all activity threads.
 */
public final class Workspaces {
  private final Path dir;
  private final Map<String, Workspace> byRun = new ConcurrentHashMap<>();

  public Workspaces(Path dir) {
    this.dir = dir.toAbsolutePath();
  }

  public Workspace get(WorkspaceKey key) {
    return byRun.computeIfAbsent(key.runId(), id -> new Workspace(dir, key));
  }

  public Path dir() {
    return dir;
  }
}
