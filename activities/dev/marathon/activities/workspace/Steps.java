package dev.marathon.activities.workspace;

import dev.marathon.activities.process.MarkedProcesses;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The step protocol of a run's workspace, what makes each step's effect on it exactly-once: take
 * the {@link #lease}, {@link #bringTo} the snapshot the step starts from (killing what a dead
 * attempt left running, restoring files, HEAD and index if they differ), run the step, take the
 * next {@link #snapshot}. A step retried after a crash so starts from exactly where its first
 * attempt started, and a step that changed nothing makes no new snapshot.
 *
 * <p>A run begins here too ({@link #begin}, {@link #beginFrom}): its repository, its snapshot
 * repository and its first snapshot. What this process knows of the workspace's state (the
 * snapshot it left it at, the snapshot its index matches) is kept here, one object per run, shared
 * by every activity thread through {@link Workspaces}.
 */
public final class Steps {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Workspace.class);

  private final Workspace ws;
  private final Path root;
  private final Path meta;
  private final AgentRepository agent;
  private final SnapshotRepository snapshots;
  private final SnapshotIndex index;
  private final Checkout checkout;
  private final ReentrantLock inProcess = new ReentrantLock();
  /** Called while long git commands run, by whoever holds the lease (an activity's heartbeat). */
  private volatile Runnable heartbeat = () -> { };
  /** The snapshot this process last left the workspace at, or null when it cannot be sure. */
  private volatile String knownAt;

  public record Begun(String baseCommit, String snapshot) {}

  /** In Marathon's directory: which process last left the workspace at which snapshot ({@link #known}). */
  private static final String KNOWN_AT = "known-at";
  /** This object's name in {@link #KNOWN_AT}: one per process and workspace. */
  private final String token = java.util.UUID.randomUUID().toString();

  /** In Marathon's directory: the work tree was rebuilt here, and the repository's setup command has not run since. */
  private static final String SETUP_OWED = "setup-owed";

  Steps(Workspace ws) {
    this.ws = ws;
    this.root = ws.root();
    this.meta = ws.meta();
    this.agent = ws.agent();
    this.snapshots = new SnapshotRepository(ws, this::heartbeat);
    this.index = new SnapshotIndex(ws, this::heartbeat);
    this.checkout = new Checkout(ws, snapshots, index, this::heartbeat);
  }

  /** Exclusive use of this workspace, across the threads and processes of this machine. */
  public Lease lease(Runnable whileWaiting) {
    ws.createMeta();
    inProcess.lock();
    try {
      FileChannel channel = FileChannel.open(meta.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      while (true) {
        FileLock lock = channel.tryLock();
        if (lock != null) {
          heartbeat = whileWaiting;
          return new Lease(channel, lock);
        }
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

  /**
   * Holding it means no other step runs in this workspace; what writes the user's repository
   * ({@link Publishing}) is called with it held too.
   */
  public final class Lease implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private Lease(FileChannel channel, FileLock lock) {
      this.channel = channel;
      this.lock = lock;
    }

    @Override
    public void close() {
      heartbeat = () -> { };
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
   * Creates the agent's repository on the run's branch at the user's HEAD, Marathon's snapshot
   * repository, and the first snapshot. Idempotent: a retry after a crash finds and reuses what the
   * first attempt made.
   */
  public Begun begin() {
    ws.createMeta();
    Path baseFile = meta.resolve("base");
    if (!Files.exists(baseFile)) Workspace.write(baseFile, ws.origin().head(heartbeat));
    String base = Workspace.read(baseFile);
    snapshots.ensure();
    if (!Files.exists(root.resolve(".git"))) recreate(base, "refs/heads/" + ws.key().branch(), base);
    String first = snapshot(null, "begin");
    return new Begun(base, first);
  }

  /**
   * Creates this workspace from another run's workspace at {@code parentSnapshot}: the same files,
   * committed or not, on this run's own branch. What the other run did since the user's commit is
   * copied into this workspace's snapshot repository. With {@code exact} (a fork) HEAD is where it
   * was and uncommitted changes stay uncommitted; otherwise (a sub-agent) they become one commit
   * the branch starts from. Idempotent, like {@link #begin()}.
   */
  public Begun beginFrom(Workspace parent, String parentSnapshot, boolean exact) {
    ws.createMeta();
    snapshots.ensure();
    Path baseFile = meta.resolve("base");
    Path startFile = meta.resolve("start");
    if (!Files.exists(startFile)) {
      Snapshot at;
      if (parent.steps().snapshots.has(parentSnapshot) || ws.shipping() == null) {
        // The other run's workspace is on this machine (or nothing is shipped): copy from it.
        if (!Files.exists(baseFile)) Workspace.write(baseFile, Workspace.read(parent.meta().resolve("base")));
        at = parent.steps().snapshots.describe(parentSnapshot);
        snapshots.copyFrom(parent.steps().snapshots, at, Workspace.read(baseFile));
      } else {
        // The other run's workspace is on another machine: its snapshot comes from the shared store,
        // from that run's own shipments, and only for a run on the same repository.
        if (!parent.key().repo().equals(ws.key().repo())) {
          throw new WorkspaceException("refused to start run " + ws.key().runId() + " on " + ws.key().repo() + " from run "
              + parent.key().runId() + ", which works on " + parent.key().repo(), true);
        }
        String base = ws.shipping().receive(parent.key(), snapshots, parentSnapshot, ws.origin(), heartbeat);
        if (!Files.exists(baseFile)) Workspace.write(baseFile, base);
        at = snapshots.describe(parentSnapshot);
      }
      Workspace.write(startFile, exact ? at.head() + " " + at.tree() : snapshots.commitTree(at, Git.IDENTITY, "@0 +0000",
          "marathon: the coordinator's uncommitted work, which this sub-agent starts from"));
    }
    String base = Workspace.read(baseFile);
    String[] start = Workspace.read(startFile).split(" ");
    if (!Files.exists(root.resolve(".git"))) {
      recreate(start[0], "refs/heads/" + ws.key().branch(), start[0]);
      if (start.length > 1) checkout.restore(new Snapshot(start[1], start[0], "refs/heads/" + ws.key().branch()));
    }
    return new Begun(base, snapshot(null, "begin"));
  }

  /**
   * Makes the workspace be at {@code snapshot}: kills what a dead attempt left running, recreates
   * a missing checkout, and restores files, HEAD and index if they differ. Call with a lease.
   */
  public void bringTo(String snapshot) {
    ws.repo(); // a vanished repository is for an operator to fix, not for retries
    if (snapshot.equals(knownAt) && Files.isDirectory(agent.dir(), LinkOption.NOFOLLOW_LINKS) && stillOurs(snapshot)) return;
    knownAt = null;
    MarkedProcesses.kill(Workspace.MARKER_ENV, ws.key().runId());
    snapshots.ensure();
    have(snapshot);
    Snapshot target = snapshots.describe(snapshot);
    if (!Files.isDirectory(agent.dir(), LinkOption.NOFOLLOW_LINKS)) {
      recreate(target.head(), target.headRef(), snapshot);
    } else if (!target.equals(current())) {
      checkout.restore(target);
    }
    known(snapshot);
    index.at(snapshot);
  }

  /**
   * Makes sure the snapshot repository holds {@code snapshot}: one this machine has not seen (the
   * run moved here, or its workspace was lost with a worker's disk) is received from the shared
   * store, with the commits it needs. Does nothing when the store is not shared.
   */
  public void have(String snapshot) {
    if (ws.shipping() == null) return;
    snapshots.ensure();
    if (snapshots.has(snapshot)) return;
    String base = ws.shipping().receive(ws.key(), snapshots, snapshot, ws.origin(), heartbeat);
    Path baseFile = meta.resolve("base");
    if (!Files.exists(baseFile)) Workspace.write(baseFile, base);
    LOG.info("workspace {}: snapshot {} received from the shared store", ws.key().runId(), snapshot);
  }

  /**
   * The repository's setup command ({@link RepositorySetup}) when it is owed: the work tree was
   * made on this machine (the run began, or moved here) and the command has not finished since.
   * Null otherwise.
   */
  public String setupOwed() {
    if (!Files.exists(meta.resolve(SETUP_OWED))) return null;
    String command = RepositorySetup.command(snapshots, Workspace.read(meta.resolve("base")));
    if (command == null) setupDone();
    return command;
  }

  /**
   * The setup command finished (whatever its exit): it is not owed again until the work tree is
   * rebuilt. What it changed may be anywhere: the next snapshot looks at the whole tree.
   */
  public void setupDone() {
    knownAt = null;
    index.at(null);
    try {
      Files.deleteIfExists(meta.resolve(SETUP_OWED));
    } catch (java.io.IOException e) {
      throw new WorkspaceException("cannot write " + meta + ": " + e.getMessage(), false);
    }
  }

  /**
   * This process left the workspace at {@code snapshot}. Said in Marathon's directory too: another
   * worker process on this machine that takes a step here in between (a retry that went to it)
   * overwrites it, and this one then no longer trusts what it knew.
   */
  private void known(String snapshot) {
    knownAt = snapshot;
    Workspace.write(meta.resolve(KNOWN_AT), token + " " + snapshot);
  }

  /** Whether the last process to leave the workspace at a snapshot was this one, at {@code snapshot}. */
  private boolean stillOurs(String snapshot) {
    try {
      return Files.readString(meta.resolve(KNOWN_AT)).equals(token + " " + snapshot);
    } catch (java.io.IOException e) {
      return false;
    }
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
    return snapshot(previous, label, null);
  }

  /**
   * As {@link #snapshot(String, String)}, after a step that can only have changed {@code written}
   * (a workspace-relative file a file tool wrote): when the index is known to match {@code
   * previous}, git looks at that path alone instead of every file of the tree, so a step costs the
   * same in a repository of one file or of a hundred thousand.
   */
  public String snapshot(String previous, String label, String written) {
    Snapshot before = previous == null ? null : snapshots.describe(previous);
    boolean indexMatched = previous != null && index.matches(previous);
    index.at(null);
    Snapshot now = before == null ? current() : currentSince(indexMatched ? before.tree() : null, written != null && indexMatched ? written : null);
    if (now.head() != null && before != null && !now.head().equals(before.head()) && !snapshots.keptCommits(now.head(), before.head())) {
      now = new Snapshot(now.tree(), null, now.headRef()); // a ref the agent wrote by hand, naming no whole commit
    }
    if (now.head() == null) {
      if (before == null) throw new WorkspaceException("HEAD of the workspace's repository points at no commit", false);
      // The agent deleted its .git, left HEAD on an unborn branch, or made .git point elsewhere:
      // it gets HEAD back where the last snapshot had it (its files are kept as they are).
      LOG.warn("workspace {}: {}; HEAD goes back to {}", ws.key().runId(),
          Objects.requireNonNullElse(agent.problem(), "HEAD names no commit Marathon can read"), before.head());
      checkout.pointHead(before);
      now = new Snapshot(now.tree(), before.head(), before.headRef());
    }
    if (now.equals(before)) {
      known(previous);
      index.at(previous);
      return previous;
    }
    String commit = snapshots.record(now, previous, label);
    if (ws.shipping() != null) ws.shipping().ship(ws.key(), snapshots, commit, previous, Workspace.read(meta.resolve("base")), heartbeat);
    known(commit);
    index.at(commit);
    return commit;
  }

  /**
   * What the last snapshot left out of the run's record (nested repositories, files over the
   * size cap), as a line for the step's output, or null: the agent is told, not just the log.
   */
  public String leftOutByLastSnapshot() {
    return index.leftOut().isEmpty() ? null : String.join("; ", index.leftOut());
  }

  /**
   * A fresh checkout. When there was no work tree at all (a new run, or a run that moved to this
   * machine), what snapshots leave out — ignored files: dependencies, build outputs — is not here
   * either, and the repository's setup command is owed ({@link #setupOwed}).
   */
  private void recreate(String head, String headRef, String treeish) {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) Workspace.write(meta.resolve(SETUP_OWED), treeish);
    checkout.recreate(head, headRef, treeish);
  }

  /** Deletes the agent's checkout and Marathon's index of it (its work is on the branch and in the snapshots). */
  void removeCheckout() {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return;
    knownAt = null;
    index.stopWatching();
    index.forget(); // it describes the checkout: 15 MB at 92,000 files, of no use once the checkout is gone
    Workspace.deleteTree(root, heartbeat);
    snapshots.linkObjects();
  }

  /** How many of this process's snapshots of the workspace looked at every file of its tree. */
  int wholeTreeScans() {
    return index.wholeTreeScans();
  }

  /** How many of this process's snapshots of what a step changed were made by git, not by Marathon itself ({@link ChangedTree}). */
  int gitSnapshots() {
    return index.gitSnapshots();
  }

  /** What long git commands call while they run: the lease holder's heartbeat, or nothing. */
  Runnable heartbeat() {
    return heartbeat;
  }

  SnapshotRepository snapshots() {
    return snapshots;
  }

  Checkout checkout() {
    return checkout;
  }

  /** The working tree's state right now; {@code head} is null when the agent's repository is unusable. */
  Snapshot current() {
    return withHead(index.tree(null, null));
  }

  /**
   * {@link #current()} after a step (that changed at most {@code onlyPath}, when not null); {@code
   * matchedTree} is the tree of the snapshot it began at when the index matched that snapshot, else
   * null: the tree by git, HEAD from the agent's files.
   */
  private Snapshot currentSince(String matchedTree, String onlyPath) {
    return withHead(index.tree(onlyPath, matchedTree));
  }

  private Snapshot withHead(String tree) {
    AgentRepository.Head head = agent.head();
    return head == null ? new Snapshot(tree, null, AgentRepository.DETACHED) : new Snapshot(tree, head.commit(), head.ref());
  }
}
