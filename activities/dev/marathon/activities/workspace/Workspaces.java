package dev.marathon.activities.workspace;

import dev.marathon.activities.store.CheckpointStore;
import dev.marathon.workflows.api.WorkspaceKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The workspaces on this machine, one object per run so that the run's lock and what this
 * process knows about its state are shared by all activity threads.
 */
public final class Workspaces {
  private final Path dir;
  private final List<Path> marathons;
  private final ShippedSnapshots shipping;
  private final AllowedOrigins origins;
  private final Map<String, Workspace> byRun = new ConcurrentHashMap<>();

  public Workspaces(Path dir) {
    this(dir, List.of(), null, AllowedOrigins.of(null));
  }

  /**
   * @param marathons Marathon's own directories (its home, store): no repository may overlap them either
   * @param store the checkpoint store: when it is shared, runs' snapshots travel through it (null: they do not)
   * @param origins the remotes this process may use its git credentials for
   */
  public Workspaces(Path dir, List<Path> marathons, CheckpointStore store, AllowedOrigins origins) {
    this.dir = dir.toAbsolutePath();
    List<Path> all = new ArrayList<>(marathons);
    all.add(this.dir);
    this.marathons = List.copyOf(all);
    this.shipping = store != null && store.shared() ? new ShippedSnapshots(store) : null;
    this.origins = origins;
  }

  /**
   * The run's workspace. A key is a run's input, which anyone who reaches the Temporal server can
   * write: refused unless its repository is a real path (no link, no {@code /proc/self/root}) that
   * overlaps none of Marathon's directories, and unless it names the repository and branch this
   * run's workspace was made for.
   */
  public Workspace get(WorkspaceKey key) {
    check(key);
    Workspace ws = byRun.computeIfAbsent(key.runId(), id -> new Workspace(dir, key, shipping));
    if (!ws.key().equals(key)) {
      throw new WorkspaceException("refused a run's workspace: run " + key.runId() + " works on " + ws.key().repo() + " ("
          + ws.key().branch() + "), not " + key.repo() + " (" + key.branch() + ")", true);
    }
    ws.claim();
    return ws;
  }

  /**
   * Another run's workspace, which this run starts from (a fork's source, a sub-agent's
   * coordinator), checked like {@link #get} but not kept when this process has not seen that run:
   * a run input naming it with a forged key must not stand in for the real run here later.
   */
  public Workspace other(WorkspaceKey key) {
    Workspace known = byRun.get(key.runId());
    if (known != null) return get(key);
    check(key);
    Workspace other = new Workspace(dir, key, shipping);
    other.claim(); // on this machine: refused unless it names the repository and branch that run was made for
    return other;
  }

  /** Refuses a key a worker must not act on: a bad id, branch or repository, one overlapping Marathon's directories, a remote not allowed. */
  private void check(WorkspaceKey key) {
    String problem = key.problem();
    String local = WorkspaceKey.isUrl(key.repo()) ? key.localOrigin() : key.repo();
    if (problem == null && local != null) problem = repositoryProblem(Path.of(local));
    if (problem == null && WorkspaceKey.isUrl(key.repo())) problem = origins.problem(key.repo());
    if (problem != null) throw new WorkspaceException("refused a run's workspace: " + problem, true);
  }

  private String repositoryProblem(Path repo) {
    Path real;
    try {
      real = repo.toRealPath();
    } catch (IOException e) {
      return null; // a missing repository is the workspace's to report
    }
    if (!real.equals(repo)) return "repository " + repo + " is not a real path (it resolves to " + real + ")";
    for (Path m : marathons) {
      Path mine = realOrSelf(m);
      if (real.startsWith(mine) || mine.startsWith(real)) return "repository " + repo + " overlaps Marathon's " + mine;
    }
    return null;
  }

  private static Path realOrSelf(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return p.toAbsolutePath().normalize();
    }
  }

  public Path dir() {
    return dir;
  }
}
