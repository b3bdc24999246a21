package dev.marathon.activities.workspace;

import dev.marathon.activities.FileTrees;
import dev.marathon.workflows.api.WorkspaceKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's workspace: the agent's own git repository (a clone that borrows the user's objects,
 * read-only, through alternates) and Marathon's own snapshot repository beside it, out of the
 * agent's reach. Whatever the agent does in its repository (commit, branch, reset, config, hooks,
 * gc), the user's repository is only read — until the run ends and Marathon fetches the finished
 * branch into it.
 *
 * <p>This class is the entry point and the layout: where the parts are, whose the run's commits
 * are, what a command of the run sees. What is done with them is split by concern:
 * <ul>
 *   <li>{@link #steps()}: the step protocol — the lease, bringing the workspace to a snapshot
 *       (restoring what a crashed attempt left), and taking the next snapshot;
 *   <li>{@link #history()}: reading and joining snapshots — a diff between two, a merge of other
 *       runs' commits;
 *   <li>{@link #publishing()}: everything that writes the user's repository — the run's branch at
 *       the end, a snapshot kept on a branch of its own, the branch moved back.
 * </ul>
 *
 * <p>Layout under the workspaces directory: {@code <run>/} the agent's checkout (the only part a
 * sandboxed command sees), {@code <run>.marathon/} Marathon's: {@code snapshots.git}, the lock, the
 * snapshot index, and {@code home/}, the private home directory of the run's commands.
 *
 * <p><b>A workspace that moves.</b> The run's {@link Origin} is the user's repository or a git URL
 * (cloned on each worker that needs it; the finished branch is pushed back). With a shared store
 * each new snapshot is shipped into it ({@link ShippedSnapshots}), and a worker that lacks the
 * snapshot a step starts from receives it from there: the checkout is rebuilt from the snapshot,
 * so a run goes on on another machine exactly where it was. The tools ({@code activities/tools})
 * know nothing of this: a tool gets a work tree path, a home, an environment and a sandbox in its
 * {@code ToolContext}, which the tool activity fills from {@link #realRoot()}, {@link #home()},
 * {@link #commandVariables()} and {@link #readableByCommands()}.
 */
public final class Workspace {
  /** Every command run in a workspace carries this variable, so its leftovers can be found. */
  static final String MARKER_ENV = "MARATHON_WORKSPACE";

  private final WorkspaceKey key;
  private final Path root;
  private final Path meta;
  private final Path snapshots;
  private final AgentRepository agent;
  private final Origin origin;
  /** The run's snapshots in the shared store, or null when the store is this machine's alone. */
  private final ShippedSnapshots shipping;
  private final Steps steps;
  private final SnapshotHistory history;
  private final Publishing publishing;
  private volatile Map<String, String> identity;
  /** The user's repository's object directory, which the agent's and the snapshot repository borrow. */
  private volatile String userObjects;

  Workspace(Path workspacesDir, WorkspaceKey key, ShippedSnapshots shipping) {
    this.key = key;
    this.root = workspacesDir.resolve(key.runId()).toAbsolutePath();
    this.meta = workspacesDir.resolve(key.runId() + ".marathon").toAbsolutePath();
    this.snapshots = meta.resolve("snapshots.git");
    this.agent = new AgentRepository(root);
    this.origin = new Origin(workspacesDir.toAbsolutePath(), key);
    // Only a run on a git URL can move: another machine could not reach a path on this one.
    this.shipping = origin.isUrl() ? shipping : null;
    this.steps = new Steps(this);
    this.history = new SnapshotHistory(this, steps);
    this.publishing = new Publishing(this, steps);
  }

  /** The step protocol: the lease, bringing the workspace to a snapshot, taking the next one. */
  public Steps steps() {
    return steps;
  }

  /** Diffs between snapshots and merges into the workspace. */
  public SnapshotHistory history() {
    return history;
  }

  /** What writes the user's repository: the run's branch, kept snapshots. */
  public Publishing publishing() {
    return publishing;
  }

  public WorkspaceKey key() {
    return key;
  }

  /** The agent's checkout: the work tree its tools and commands work in. */
  public Path root() {
    return root;
  }

  /** The root as a real path (file tools compare resolved paths against it). */
  public Path realRoot() {
    try {
      return root.toRealPath();
    } catch (IOException e) {
      throw new WorkspaceException("workspace " + root + " is missing: " + e.getMessage(), false);
    }
  }

  /** The private home directory of the run's commands (their caches live there). */
  public Path home() {
    return meta.resolve("home");
  }

  /** The git identity of the run's commits (the user's, else Marathon's), read once. */
  public Map<String, String> identity() {
    Map<String, String> known = identity;
    if (known == null) known = identity = GitIdentity.of(repo());
    return known;
  }

  /**
   * The variables every command of the run carries: the run's git identity, so the agent's commits
   * are the user's, and the marker by which a later attempt finds and kills what a dead one left
   * running.
   */
  public Map<String, String> commandVariables() {
    Map<String, String> set = new HashMap<>(identity());
    set.put(MARKER_ENV, key.runId());
    return set;
  }

  /**
   * What a command must be able to read outside its work tree: the user's repository, whose
   * objects the agent's repository borrows (read-only, through alternates).
   */
  public List<Path> readableByCommands() {
    return List.of(repo());
  }

  /** Where a batch of tool calls records its progress (Marathon's side, out of the agent's reach; made by {@link Steps#lease}). */
  public Path batchProgressFile() {
    return meta.resolve("tool-batch.json");
  }

  /**
   * Whether the run's snapshots can be read here: its snapshot repository is on this machine (gc
   * removes it once the run has ended), or they come from the shared store.
   */
  public boolean hasSnapshots() {
    return Files.isDirectory(snapshots) || shipping != null;
  }

  /** Marathon's directory beside the checkout: the snapshot repository, the lock, the index, the home. */
  Path meta() {
    return meta;
  }

  /** Marathon's snapshot repository. */
  Path snapshots() {
    return snapshots;
  }

  /** The agent's {@code .git}, which Marathon reads and writes only once it has found it sound. */
  AgentRepository agent() {
    return agent;
  }

  /**
   * The repository on this machine whose objects the run's borrow: the user's, or this machine's
   * clone of the run's git URL. A vanished one is for an operator to fix, not for retries.
   */
  Path repo() {
    return origin.local(steps.heartbeat());
  }

  /** Where the run's work comes from and goes back to. */
  Origin origin() {
    return origin;
  }

  /** The run's snapshots in the shared store, or null when the store is not shared or the run's repository is a path. */
  ShippedSnapshots shipping() {
    return shipping;
  }

  String userObjects() {
    String known = userObjects;
    if (known == null) {
      String common = Git.run(repo(), Map.of(), "rev-parse", "--path-format=absolute", "--git-common-dir");
      known = userObjects = Path.of(common).resolve("objects").toString();
    }
    return known;
  }

  void createMeta() {
    try {
      Files.createDirectories(meta);
      Files.createDirectories(home());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + meta, e);
    }
    claim();
  }

  /**
   * Ties this workspace's directory to its repository and branch the first time it is used, and
   * refuses another key for the same run id afterwards, in any process: a run input naming a
   * victim's run id with another repository would otherwise deliver the victim's work there.
   */
  void claim() {
    Path file = meta.resolve("key");
    String mine = key.repo() + "\n" + key.branch();
    if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      if (!read(file).equals(mine)) {
        throw new WorkspaceException("refused a run's workspace: run " + key.runId() + " was made for " + read(file).replace("\n", " on ")
            + ", not " + key.repo() + " on " + key.branch(), true);
      }
    } else if (Files.isDirectory(meta, LinkOption.NOFOLLOW_LINKS)) {
      write(file, mine);
    }
  }

  static void deleteTree(Path dir) {
    deleteTree(dir, () -> { });
  }

  /** {@link #deleteTree(Path)}, calling {@code heartbeat} as it goes (a large checkout takes seconds). */
  static void deleteTree(Path dir, Runnable heartbeat) {
    try {
      FileTrees.delete(dir, heartbeat);
    } catch (IOException e) {
      throw new WorkspaceException("cannot remove " + dir + ": " + e.getMessage(), false);
    }
  }

  /** One of Marathon's small files (the base commit, the final commit, ...), stripped. */
  static String read(Path file) {
    try {
      return Files.readString(file).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Replaces a file of Marathon's at once and durably: written next to it, fsynced, renamed over
   * it, so readers see the old content or the new, never half, and a record that names it (a
   * snapshot, a step) is not on disk without it.
   */
  static void writeDurably(Path file, byte[] bytes) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.createDirectories(file.getParent());
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(bytes));
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new WorkspaceException("cannot write " + file + ": " + e.getMessage(), false);
    }
  }

  /** Replaces one of Marathon's small files at once: a crash leaves the old content or the new. */
  static void write(Path file, String content) {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, content, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
