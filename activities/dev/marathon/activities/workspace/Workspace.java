package dev.marathon.activities.workspace;

import dev.marathon.activities.tools.ProcessGroups;
import dev.marathon.workflows.api.WorkspaceKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A run's workspace: a git worktree of the user's repository on the run's branch, whose state is
 * captured as snapshots so that every tool step takes effect exactly once.
 *
 * <p>A snapshot is a git commit object on the private ref {@code refs/marathon/snapshots/<run>}:
 * its tree is the working tree (tracked and untracked files, ignored ones excluded), its first
 * parent is the commit HEAD was at, its second the previous snapshot, and its message records
 * HEAD's branch. Restoring one resets HEAD, index and working files to it, so a step retried after
 * a crash starts from exactly where the first attempt started. The user's own checkout is never
 * touched. Ignored files (build output, dependencies) are treated as caches: they are neither
 * snapshotted nor removed.
 */
public final class Workspace {
  /** Every command run in a workspace carries this variable, so its leftovers can be found. */
  public static final String MARKER_ENV = "MARATHON_WORKSPACE";
  private static final String DETACHED = "DETACHED";

  private final WorkspaceKey key;
  private final Path root;
  private final Path meta;
  private final ReentrantLock inProcess = new ReentrantLock();
  /** The snapshot this process last left the workspace at, or null when it cannot be sure. */
  private volatile String knownAt;
  private final Map<String, Snapshot> snapshots = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Snapshot> eldest) {
      return size() > 64;
    }
  });

  /** What a snapshot commit records. */
  record Snapshot(String tree, String head, String headRef) {}

  /** The state of the working tree right now. */
  record Current(String tree, String head, String headRef) {}

  public record Begun(String baseCommit, String snapshot) {}

  Workspace(Path workspacesDir, WorkspaceKey key) {
    this.key = key;
    this.root = workspacesDir.resolve(key.runId()).toAbsolutePath();
    this.meta = workspacesDir.resolve(key.runId() + ".marathon").toAbsolutePath();
  }

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

  public WorkspaceKey key() {
    return key;
  }

  /**
   * Creates the worktree and branch from the repository's HEAD, and the first snapshot.
   * Idempotent: a retry after a crash finds and reuses what the first attempt made.
   */
  public Begun begin() {
    Path repo = repo();
    createMeta();
    Path baseFile = meta.resolve("base");
    String base;
    if (Files.exists(baseFile)) {
      base = read(baseFile);
    } else {
      Git.Result head = Git.git(repo, "rev-parse", "--verify", "-q", "HEAD^{commit}");
      if (!head.ok()) throw new WorkspaceException("repository " + repo + " has no commit yet; commit something first", true);
      base = head.out().strip();
      write(baseFile, base);
    }
    if (!Files.exists(root.resolve(".git"))) {
      Git.run(repo, Map.of(), "worktree", "prune");
      boolean branchExists = Git.git(repo, "rev-parse", "--verify", "-q", "refs/heads/" + key.branch()).ok();
      if (branchExists) Git.run(repo, Map.of(), "worktree", "add", "-q", root.toString(), key.branch());
      else Git.run(repo, Map.of(), "worktree", "add", "-q", "-b", key.branch(), root.toString(), base);
    }
    String first = snapshot(null, "begin");
    return new Begun(base, first);
  }

  /** Exclusive use of this workspace, across the threads and processes of this machine. */
  public Lease lease(Runnable whileWaiting) {
    createMeta();
    inProcess.lock();
    try {
      FileChannel channel = FileChannel.open(meta.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      while (true) {
        FileLock lock = channel.tryLock();
        if (lock != null) return new Lease(channel, lock);
        whileWaiting.run(); // another process holds it: an attempt that has not noticed it is dead yet
        Thread.sleep(500);
      }
    } catch (IOException e) {
      inProcess.unlock();
      throw new WorkspaceException("cannot lock workspace " + root + ": " + e.getMessage(), false);
    } catch (InterruptedException e) {
      inProcess.unlock();
      Thread.currentThread().interrupt();
      throw new WorkspaceException("interrupted while waiting for workspace " + root, false);
    } catch (RuntimeException e) {
      inProcess.unlock();
      throw e;
    }
  }

  /** Holding it means no other step runs in this workspace. */
  public final class Lease implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private Lease(FileChannel channel, FileLock lock) {
      this.channel = channel;
      this.lock = lock;
    }

    @Override
    public void close() {
      try {
        lock.release();
        channel.close();
      } catch (IOException ignored) {
        // closing the channel releases the lock regardless
      } finally {
        inProcess.unlock();
      }
    }
  }

  /**
   * Makes the workspace be at {@code snapshot}: kills what a dead attempt left running, recreates
   * a missing worktree, and restores files, index and HEAD if they differ. Call with a lease.
   */
  public void bringTo(String snapshot) {
    repo(); // a vanished repository is for an operator to fix, not for retries
    if (snapshot.equals(knownAt) && Files.exists(root.resolve(".git"))) return;
    knownAt = null;
    ProcessGroups.killMarked(MARKER_ENV, key.runId());
    if (!Files.exists(root.resolve(".git"))) recreate(snapshot);
    Snapshot target = describe(snapshot);
    Current now = current();
    if (!(now.tree().equals(target.tree()) && now.head().equals(target.head()) && now.headRef().equals(target.headRef()))) {
      restore(snapshot, target);
    }
    knownAt = snapshot;
  }

  /** Forget what this process knows: a step that may change the workspace is starting. */
  public void changing() {
    knownAt = null;
  }

  /**
   * Captures the workspace as a snapshot on top of {@code previous}; returns {@code previous}
   * itself when nothing changed (no new commit for read-only work).
   */
  public String snapshot(String previous, String label) {
    Current now = current();
    if (previous != null) {
      Snapshot before = describe(previous);
      if (before.tree().equals(now.tree()) && before.head().equals(now.head()) && before.headRef().equals(now.headRef())) {
        knownAt = previous;
        return previous;
      }
    }
    String parents = previous == null || previous.equals(now.head()) ? "" : previous;
    String commit = Git.sh(root, Git.IDENTITY,
        "set -e; c=$(git commit-tree \"$1\" -p \"$2\" ${3:+-p \"$3\"} -m \"$4\" -m \"head-ref: $5\");"
            + " git update-ref \"$6\" \"$c\"; echo \"$c\"",
        now.tree(), now.head(), parents, "marathon snapshot " + label, now.headRef(), snapshotRef()).strip();
    snapshots.put(commit, new Snapshot(now.tree(), now.head(), now.headRef()));
    knownAt = commit;
    return commit;
  }

  /**
   * Commits what is uncommitted at {@code snapshot} onto the run's branch, with {@code message}.
   * Idempotent: when a previous attempt already made that commit, returns it.
   */
  public String commit(String snapshot, String message) {
    Snapshot at = describe(snapshot);
    Current now = current();
    if (now.tree().equals(at.tree()) && !now.head().equals(at.head()) && committedOnTop(now.head(), at)) {
      pointBranchAtHead(now);
      return now.head(); // committed by an earlier attempt whose result was lost
    }
    bringTo(snapshot);
    knownAt = null;
    Map<String, String> env = identityIfMissing();
    Git.sh(root, env, "set -e; git add -A; git diff --cached --quiet || git commit -q --no-verify -m \"$1\"", message);
    Current after = current();
    pointBranchAtHead(after);
    return after.head();
  }

  /** Whether {@code head} is a commit of exactly the snapshot's tree on top of the snapshot's HEAD. */
  private boolean committedOnTop(String head, Snapshot at) {
    Git.Result parent = Git.git(root, "rev-parse", "-q", "--verify", head + "^1");
    Git.Result tree = Git.git(root, "rev-parse", head + "^{tree}");
    return parent.ok() && tree.ok() && parent.out().strip().equals(at.head()) && tree.out().strip().equals(at.tree());
  }

  /** The agent may have left HEAD detached or on another branch; the run's branch gets the work. */
  private void pointBranchAtHead(Current now) {
    if (!now.headRef().equals("refs/heads/" + key.branch())) {
      Git.run(root, Map.of(), "branch", "-f", key.branch(), now.head());
    }
  }

  private Map<String, String> identityIfMissing() {
    boolean hasName = Git.git(root, "config", "user.name").ok();
    boolean hasEmail = Git.git(root, "config", "user.email").ok();
    return hasName && hasEmail ? Map.of() : Git.IDENTITY;
  }

  Current current() {
    String[] lines = Git.sh(root, Map.of("GIT_INDEX_FILE", meta.resolve("index").toString()),
        "set -e; git add -A; git write-tree; git rev-parse HEAD;"
            + " git symbolic-ref -q HEAD || echo " + DETACHED).strip().split("\n");
    if (lines.length != 3) throw new WorkspaceException("cannot read the state of workspace " + root, false);
    return new Current(lines[0].strip(), lines[1].strip(), lines[2].strip());
  }

  Snapshot describe(String snapshot) {
    Snapshot cached = snapshots.get(snapshot);
    if (cached != null) return cached;
    Git.Result r = Git.git(repo(), "cat-file", "commit", snapshot);
    if (!r.ok()) {
      throw new WorkspaceException("snapshot " + snapshot + " is missing from " + key.repo()
          + " (was the repository replaced, or its objects pruned?)", true);
    }
    String tree = null;
    String head = null;
    String headRef = DETACHED;
    for (String line : r.out().split("\n")) {
      if (tree == null && line.startsWith("tree ")) tree = line.substring(5).strip();
      else if (head == null && line.startsWith("parent ")) head = line.substring(7).strip();
      else if (line.startsWith("head-ref: ")) headRef = line.substring(10).strip();
    }
    if (tree == null || head == null) throw new WorkspaceException(snapshot + " is not a Marathon snapshot", true);
    Snapshot s = new Snapshot(tree, head, headRef);
    snapshots.put(snapshot, s);
    return s;
  }

  private void restore(String snapshot, Snapshot target) {
    String checkout = target.headRef().equals(DETACHED)
        ? "git checkout -q -f --detach \"$1\""
        : "git checkout -q -f -B \"$3\" \"$1\"";
    String branch = target.headRef().startsWith("refs/heads/") ? target.headRef().substring("refs/heads/".length()) : "";
    Git.sh(root, Map.of(), "set -e; " + checkout + "; git clean -q -fd; git reset -q \"$2\"", snapshot, target.head(), branch);
  }

  /** The worktree is gone (deleted, or this is another machine sharing the repository). */
  private void recreate(String snapshot) {
    Path repo = repo();
    Git.run(repo, Map.of(), "worktree", "prune");
    Git.run(repo, Map.of(), "worktree", "add", "-q", "--detach", root.toString(), snapshot);
  }

  private Path repo() {
    Path repo = Path.of(key.repo());
    if (!Files.isDirectory(repo)) throw new WorkspaceException("repository " + repo + " does not exist", true);
    return repo;
  }

  private String snapshotRef() {
    return "refs/marathon/snapshots/" + key.runId();
  }

  private void createMeta() {
    try {
      Files.createDirectories(meta);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + meta, e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path file, String content) {
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, content, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
