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

  /** The run's workspace; a key that names anything but a directory of this workspaces directory is refused. */
  public Workspace get(WorkspaceKey key) {
    String problem = key.problem();
    if (problem == null && (Path.of(key.repo()).startsWith(dir) || dir.startsWith(Path.of(key.repo())))) {
      problem = "repository " + key.repo() + " overlaps Marathon's workspaces (" + dir + ")";
    }
    if (problem != null) throw new WorkspaceException("refused a run's workspace: " + problem, true);
    return byRun.computeIfAbsent(key.runId(), id -> new Workspace(dir, key));
  }

  public Path dir() {
    return dir;
  }
}
