package dev.marathon.activities.workspace;

import dev.marathon.activities.FileTrees;
import dev.marathon.activities.process.MarkedProcesses;
import dev.marathon.workflows.api.WorkspaceKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * A run's workspace: the agent's own git repository (a clone that borrows the user's objects,
 * read-only, through alternates) and Marathon's own snapshot repository beside it, out of the
 * agent's reach. Whatever the agent does in its repository (commit, branch, reset, config, hooks,
 * gc), the user's repository is only read — until the run ends and Marathon fetches the finished
 * branch into it.
 *
 * <p>A snapshot is a commit in the snapshot repository: its tree is the working tree exactly as
 * it was (tracked and untracked files, byte for byte: the snapshot repository's attributes turn
 * every conversion off; ignored files are caches and left out), its first parent is the commit the
 * agent's HEAD was at, its second the previous snapshot, and its message records HEAD's branch.
 * Restoring one puts files, HEAD and the agent's index back, so a step retried after a crash starts
 * from exactly where its first attempt started.
 *
 * <p>Layout under the workspaces directory: {@code <run>/} the agent's checkout (the only part a
 * sandboxed command sees), {@code <run>.marathon/} Marathon's: {@code snapshots.git}, the lock, the
 * snapshot index, and {@code home/}, the private home directory of the run's commands.
 */
public final class Workspace {
  /** Every command run in a workspace carries this variable, so its leftovers can be found. */
  public static final String MARKER_ENV = "MARATHON_WORKSPACE";
  private static final String DETACHED = AgentRepository.DETACHED;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Workspace.class);
  private static final String SNAPSHOTS_REF = "refs/marathon/snapshots";
  private static final String FINAL_REF = "refs/marathon/final";
  /** In the snapshot repository, every attribute that would change bytes is switched off. */
  private static final String BYTE_EXACT = "* -text -eol -crlf -filter -ident -working-tree-encoding\n";

  private final WorkspaceKey key;
  private final Path root;
  private final Path meta;
  private final Path snapshots;
  private final LooseObjects objects;
  private final AgentRepository agent;
  private final LeftOut excluded;
  private final ReentrantLock inProcess = new ReentrantLock();
  /** Called while long git commands run, by whoever holds the lease (an activity's heartbeat). */
  private volatile Runnable heartbeat = () -> { };
  private volatile Map<String, String> identity;
  /** The user's repository's object directory, which the agent's and the snapshot repository borrow. */
  private volatile String userObjects;
  /** The snapshot this process last left the workspace at, or null when it cannot be sure. */
  private volatile String knownAt;
  /** What the last snapshot left out (see {@link #leftOutByLastSnapshot}). */
  private volatile List<String> leftOut = List.of();
  /**
   * The snapshot whose tree the snapshot index (and so git's stat cache) matches, set where this
   * process made that true; a file tool's snapshot then only needs to look at the path it wrote.
   */
  private volatile String indexAt;
  private final Map<String, Snapshot> described = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Snapshot> eldest) {
      return size() > 64;
    }
  });

  /** What a snapshot commit records. */
  record Snapshot(String tree, String head, String headRef) {}

  public record Begun(String baseCommit, String snapshot) {}

  Workspace(Path workspacesDir, WorkspaceKey key) {
    this.key = key;
    this.root = workspacesDir.resolve(key.runId()).toAbsolutePath();
    this.meta = workspacesDir.resolve(key.runId() + ".marathon").toAbsolutePath();
    this.snapshots = meta.resolve("snapshots.git");
    this.objects = new LooseObjects(snapshots);
    this.agent = new AgentRepository(root);
    this.excluded = new LeftOut(meta.resolve("left-out"));
  }

  /** Where a batch of tool calls records its progress (Marathon's side, out of the agent's reach; made by {@link #lease}). */
  public Path batchProgressFile() {
    return meta.resolve("tool-batch.json");
  }

  public Path root() {
    return root;
  }

  /** The git identity of the run's commits (the user's, else Marathon's), read once. */
  public Map<String, String> identity() {
    Map<String, String> known = identity;
    if (known == null) known = identity = GitIdentity.of(repo());
    return known;
  }

  /** The private home directory of the run's commands (their caches live there). */
  public Path home() {
    return meta.resolve("home");
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
   * Creates the agent's repository on the run's branch at the user's HEAD, Marathon's snapshot
   * repository, and the first snapshot. Idempotent: a retry after a crash finds and reuses what the
   * first attempt made.
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
    ensureLayout();
    if (!Files.exists(root.resolve(".git"))) checkout(base, "refs/heads/" + key.branch(), base);
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
    repo();
    createMeta();
    Path baseFile = meta.resolve("base");
    if (!Files.exists(baseFile)) write(baseFile, read(parent.meta.resolve("base")));
    String base = read(baseFile);
    ensureLayout();
    Path startFile = meta.resolve("start");
    if (!Files.exists(startFile)) {
      Snapshot at = parent.describe(parentSnapshot);
      Git.sh(meta, Map.of(), heartbeat,
          "set -e; printf '%s\\n%s\\n^%s\\n' \"$3\" \"$4\" \"$5\" | (export GIT_DIR=\"$1\"; git pack-objects -q --revs --stdout)"
              + " | (export GIT_DIR=\"$2\"; git unpack-objects -q)",
          parent.snapshots.toString(), snapshots.toString(), at.head(), at.tree(), base);
      write(startFile, exact ? at.head() + " " + at.tree() : commitTree(at, Git.IDENTITY, "@0 +0000",
          "marathon: the coordinator's uncommitted work, which this sub-agent starts from"));
    }
    String[] start = read(startFile).split(" ");
    if (!Files.exists(root.resolve(".git"))) {
      checkout(start[0], "refs/heads/" + key.branch(), start[0]);
      if (start.length > 1) restore(new Snapshot(start[1], start[0], "refs/heads/" + key.branch()));
    }
    return new Begun(base, snapshot(null, "begin"));
  }

  /** A commit of the snapshot's files on top of its HEAD, or its HEAD when nothing is uncommitted. */
  private String commitTree(Snapshot at, Map<String, String> identity, String date, String message) {
    String headTree = Git.run(meta, inSnapshots(), "rev-parse", at.head() + "^{tree}");
    if (headTree.equals(at.tree())) return at.head();
    return Git.sh(meta, commitEnv(identity, date), heartbeat, "git commit-tree \"$1\" -p \"$2\" -m \"$3\"",
        at.tree(), at.head(), message).strip();
  }

  private Map<String, String> commitEnv(Map<String, String> identity, String date) {
    Map<String, String> env = new java.util.HashMap<>(identity);
    env.putAll(inSnapshots());
    env.put("GIT_AUTHOR_DATE", date);
    env.put("GIT_COMMITTER_DATE", date);
    return env;
  }

  /** One merge asked of {@link #merge}: a commit, and the merge commit's message. */
  public record Merge(String commit, String message) {}

  /**
   * @param snapshot the workspace after the merges
   * @param conflicts for each merge, in order, the paths left with conflict markers (empty: clean)
   */
  public record Merged(String snapshot, java.util.List<java.util.List<String>> conflicts) {}

  /**
   * Merges each commit into the workspace at {@code snapshot}, one merge commit each, on the
   * branch HEAD is on; uncommitted work is committed first. Merges are computed in Marathon's
   * snapshot repository ({@code git merge-tree}), so no merge driver or hook the agent configured
   * runs. A conflicted merge is committed with its markers in the files, which are listed. With
   * the same inputs and {@code date}, the same commits: a retried collect repeats nothing.
   */
  public Merged merge(String snapshot, java.util.List<Merge> merges, String date) {
    bringTo(snapshot);
    Snapshot at = describe(snapshot);
    Map<String, String> env = commitEnv(identity(), date);
    String tip = commitTree(at, identity(), date, "marathon: work in progress, committed before merging sub-agents");
    java.util.List<java.util.List<String>> conflicts = new java.util.ArrayList<>();
    for (Merge m : merges) {
      if (m.commit() == null || !m.commit().matches("[0-9a-f]{40}")) throw new WorkspaceException("not a commit id: " + m.commit(), true);
      if (Git.call(meta, inSnapshots(), null, "merge-base", "--is-ancestor", m.commit(), tip).ok()) {
        conflicts.add(java.util.List.of()); // already in
        continue;
      }
      Git.Result r = Git.call(meta, inSnapshots(), heartbeat, "merge-tree", "--write-tree", "--name-only", "--no-messages", tip, m.commit());
      if (r.exit() != 0 && r.exit() != 1) {
        throw new WorkspaceException("cannot merge " + m.commit() + ": " + r.err().strip(), false);
      }
      String[] lines = r.out().split("\n");
      java.util.List<String> conflicted = new java.util.ArrayList<>();
      for (int i = 1; i < lines.length && !lines[i].isBlank(); i++) conflicted.add(lines[i].strip());
      String message = m.message() + (conflicted.isEmpty() ? "" : "\n\nConflicts, committed with their markers: " + String.join(", ", conflicted));
      tip = Git.sh(meta, env, heartbeat, "git commit-tree \"$1\" -p \"$2\" -p \"$3\" -m \"$4\"",
          lines[0].strip(), tip, m.commit(), message).strip();
      conflicts.add(conflicted);
    }
    if (!tip.equals(at.head())) {
      changing();
      restore(new Snapshot(Git.run(meta, inSnapshots(), "rev-parse", tip + "^{tree}"), tip, at.headRef()));
    }
    return new Merged(snapshot(snapshot, "merge sub-agents"), conflicts);
  }

  /**
   * What changed in the workspace between two of its snapshots, as a patch with a summary: files
   * written by any tool, bash included, committed or not. Read-only; no diff driver runs.
   */
  public String diff(String from, String to) {
    describe(from);
    describe(to);
    String[] args = {"diff", "--no-color", "--no-ext-diff", "--no-textconv", "--stat", "--patch", from, to};
    Git.Result r = Git.call(meta, inSnapshots(), null, args);
    if (!r.ok()) throw new WorkspaceException("git " + String.join(" ", args) + " failed in " + meta + ": " + r.err().strip(), false);
    return r.out(); // whole: a patch without its final newline is one git apply refuses
  }

  /** Whether the run's snapshot repository is on this machine (gc removes it once the run has ended). */
  public boolean hasSnapshots() {
    return Files.isDirectory(snapshots);
  }

  /**
   * Puts the workspace at {@code snapshot}, committed, on branch {@code branch} of the user's
   * repository (Marathon's branches only): what a rewind keeps of the work it goes back over.
   * Returns the commit.
   */
  public String keep(String snapshot, String branch, String message) {
    Snapshot at = describe(snapshot);
    String commit = commitTree(at, identity(), "@" + (System.currentTimeMillis() / 1000) + " +0000", message);
    putBranch(commit, branch);
    return commit;
  }

  /** Moves the run's branch in the user's repository to the commit HEAD was at in {@code snapshot}. */
  public String moveBranchTo(String snapshot) {
    String head = describe(snapshot).head();
    putBranch(head, key.branch());
    return head;
  }

  private void putBranch(String commit, String branch) {
    Git.run(meta, inSnapshots(), "update-ref", "refs/marathon/put", commit);
    Git.Result fetched = Git.call(repo(), Map.of(), heartbeat,
        "-c", "protocol.allow=never", "-c", "protocol.file.allow=always", // only from Marathon's own repository
        "fetch", "-q", "--no-tags", "--no-write-fetch-head", snapshots.toString(), "+refs/marathon/put:refs/heads/" + branch);
    if (!fetched.ok()) {
      throw new WorkspaceException("cannot put branch " + branch + " in " + key.repo() + ": " + fetched.err().strip(),
          fetched.err().contains("checked out"));
    }
  }

  /** Exclusive use of this workspace, across the threads and processes of this machine. */
  public Lease lease(Runnable whileWaiting) {
    createMeta();
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
   * Makes the workspace be at {@code snapshot}: kills what a dead attempt left running, recreates
   * a missing checkout, and restores files, HEAD and index if they differ. Call with a lease.
   */
  public void bringTo(String snapshot) {
    repo(); // a vanished repository is for an operator to fix, not for retries
    if (snapshot.equals(knownAt) && Files.isDirectory(agent.dir(), LinkOption.NOFOLLOW_LINKS)) return;
    knownAt = null;
    MarkedProcesses.kill(MARKER_ENV, key.runId());
    ensureLayout();
    Snapshot target = describe(snapshot);
    if (!Files.isDirectory(agent.dir(), LinkOption.NOFOLLOW_LINKS)) {
      checkout(target.head(), target.headRef(), snapshot);
    } else if (!target.equals(current())) {
      restore(target);
    }
    knownAt = snapshot;
    indexAt = snapshot;
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
    Snapshot before = previous == null ? null : describe(previous);
    boolean onePath = written != null && previous != null && previous.equals(indexAt);
    indexAt = null;
    Snapshot now = before == null ? current() : currentSince(before, onePath ? written : null);
    if (now.head() != null && before != null && !now.head().equals(before.head()) && !keptCommits(now.head(), before.head())) {
      now = new Snapshot(now.tree(), null, now.headRef()); // a ref the agent wrote by hand, naming no whole commit
    }
    if (now.head() == null) {
      if (before == null) throw new WorkspaceException("HEAD of the workspace's repository points at no commit", false);
      // The agent deleted its .git, left HEAD on an unborn branch, or made .git point elsewhere:
      // it gets HEAD back where the last snapshot had it (its files are kept as they are).
      LOG.warn("workspace {}: {}; HEAD goes back to {}", key.runId(),
          Objects.requireNonNullElse(agent.problem(), "HEAD names no commit Marathon can read"), before.head());
      pointHead(before);
      now = new Snapshot(now.tree(), before.head(), before.headRef());
    }
    if (now.equals(before)) {
      knownAt = previous;
      indexAt = previous;
      return previous;
    }
    // A fixed date: a retried step that snapshots the same state makes the very same commit.
    String signature = "Marathon <marathon@localhost> 0 +0000";
    String commit = objects.writeCommit("tree " + now.tree() + "\nparent " + now.head() + "\n"
        + (previous == null ? "" : "parent " + previous + "\n")
        + "author " + signature + "\ncommitter " + signature + "\n\n"
        + "marathon snapshot " + label.replaceAll("[\\r\\n\\x00]", " ") + "\n\nhead-ref: " + now.headRef() + "\n");
    objects.updateRef(SNAPSHOTS_REF, commit);
    described.put(commit, now);
    knownAt = commit;
    indexAt = commit;
    return commit;
  }

  /**
   * Ends the run's use of the workspace: commits what the agent left uncommitted at {@code
   * snapshot} on top of its HEAD, fetches that commit into the user's repository as the run's
   * branch (Marathon alone writes there, with hooks off), and removes the checkout (snapshots and
   * the branch stay). Idempotent: a retry finds the commit the first attempt made.
   */
  public String commit(String snapshot, String message, Map<String, String> identity) {
    ensureLayout();
    Snapshot at = describe(snapshot);
    Path finalFile = meta.resolve("final");
    String head = Files.exists(finalFile) ? read(finalFile) : null;
    if (head == null || !head.startsWith(snapshot + " ")) {
      String headTree = Git.run(meta, inSnapshots(), "rev-parse", at.head() + "^{tree}");
      Map<String, String> env = new java.util.HashMap<>(identity);
      env.putAll(inSnapshots());
      String commit = headTree.equals(at.tree()) ? at.head()
          : Git.sh(meta, env, heartbeat, "git commit-tree \"$1\" -p \"$2\" -m \"$3\"", at.tree(), at.head(), message).strip();
      head = snapshot + " " + commit;
      write(finalFile, head);
    }
    String commit = head.substring(head.indexOf(' ') + 1);
    Git.run(meta, inSnapshots(), "update-ref", FINAL_REF, commit);
    Git.Result fetched = Git.call(repo(), Map.of(), heartbeat,
        "-c", "protocol.allow=never", "-c", "protocol.file.allow=always", // only from Marathon's own repository
        "fetch", "-q", "--no-tags", "--no-write-fetch-head", snapshots.toString(), "+" + FINAL_REF + ":refs/heads/" + key.branch());
    if (!fetched.ok()) {
      throw new WorkspaceException("cannot put the run's work on branch " + key.branch() + " of " + key.repo() + ": "
          + fetched.err().strip() + " (its snapshots are kept in " + snapshots + ")", fetched.err().contains("checked out"));
    }
    removeCheckout();
    return commit;
  }

  /** Deletes the agent's checkout (its work is on the branch and in the snapshots). */
  private void removeCheckout() {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return;
    knownAt = null;
    indexAt = null;
    deleteTree(root);
    linkObjects();
  }

  /** The working tree's state right now; {@code head} is null when the agent's repository is unusable. */
  Snapshot current() {
    return withHead(tree(null));
  }

  /**
   * {@link #current()} after a step that began at {@code before} (and changed at most {@code
   * onlyPath}, when not null): the tree by git (two processes), HEAD from the agent's files.
   */
  private Snapshot currentSince(Snapshot before, String onlyPath) {
    return withHead(tree(onlyPath));
  }

  private Snapshot withHead(String tree) {
    AgentRepository.Head head = agent.head();
    return head == null ? new Snapshot(tree, null, DETACHED) : new Snapshot(tree, head.commit(), head.ref());
  }

  /**
   * The working tree as a tree object of the snapshot repository: {@code git add -A} (of {@code
   * onlyPath} alone, when not null) and {@code git write-tree} through Marathon's own index. A
   * repository nested in the workspace ({@code git init sub}) is not the agent's work tree's
   * content git can store as files: it is left out of snapshots (said in the log), never a reason
   * for every later snapshot to fail.
   */
  private String tree(String onlyPath) {
    leftOut = List.of();
    if (onlyPath == null) {
      List<String> large = LargeFiles.in(root, capturing(), heartbeat, excluded.excludes());
      if (!large.isEmpty()) leaveOut(large, "files over " + (LargeFiles.MAX_BYTES >> 20) + " MB");
    }
    for (int attempt = 0; ; attempt++) {
      List<String> add = new java.util.ArrayList<>(List.of("add", "-A", "--"));
      if (onlyPath != null) add.add(":(literal)" + onlyPath);
      add.addAll(excluded.excludes());
      Git.Result added = Git.call(root, capturing(), heartbeat, add.toArray(String[]::new));
      // An ignored path is refused when named: the whole tree then, which leaves ignored files out as always.
      if (!added.ok() && onlyPath != null) {
        onlyPath = null;
        continue;
      }
      List<String> nested = NestedRepositories.in(added.err());
      if (!added.ok() && added.err().contains("does not have a commit checked out") && excluded.paths().containsAll(nested)) {
        nested = NestedRepositories.find(root); // a name git's message cannot carry (a newline in it)
      }
      if (attempt < 20 && !leaveOut(nested, "nested git repositories").isEmpty()) continue;
      Git.Result tree = added.ok() ? Git.call(root, capturing(), heartbeat, "write-tree") : added;
      if (!tree.ok() && attempt == 0 && tree.err().contains("invalid object")) {
        // The index names a blob the snapshot repository lacks (it was written to the agent's
        // objects, which the agent can delete): forget the index, so every file is hashed again.
        forgetIndex();
        onlyPath = null;
        continue;
      }
      if (!tree.ok()) throw new WorkspaceException("git failed in " + root + ": " + tree.err().strip(), false);
      return tree.out().strip();
    }
  }

  /**
   * What the last snapshot left out of the run's record (nested repositories, files over the
   * size cap), as a line for the step's output, or null: the agent is told, not just the log.
   */
  public String leftOutByLastSnapshot() {
    return leftOut.isEmpty() ? null : String.join("; ", leftOut);
  }

  /** Paths go on Marathon's list of what snapshots leave out, and out of its index: in the workspace, not in snapshots or the branch. */
  private List<String> leaveOut(List<String> paths, String what) {
    List<String> added = excluded.add(paths);
    if (added.isEmpty()) return added;
    LOG.warn("workspace {}: {} are left out of its snapshots and branch: {}", key.runId(), what, added);
    List<String> told = new java.util.ArrayList<>(leftOut);
    told.add(what + " stay in the workspace but are left out of the run's snapshots and its branch: " + String.join(", ", added));
    leftOut = List.copyOf(told);
    List<String> rm = new java.util.ArrayList<>(List.of("rm", "-r", "-q", "--cached", "--ignore-unmatch", "--"));
    for (String p : added) rm.add(":(literal)" + p);
    Git.call(root, capturing(), heartbeat, rm.toArray(String[]::new));
    return added;
  }

  /**
   * Copies the agent's commits from {@code head} back to {@code previousHead} into the snapshot
   * repository; false when {@code head} is no commit whose objects can all be read (a ref the
   * agent wrote by hand), and nothing is copied.
   */
  private boolean keptCommits(String head, String previousHead) {
    Map<String, String> withAgent = withAgentObjects();
    if (withAgent == null || !Git.call(meta, withAgent, null, "cat-file", "-e", head + "^{commit}").ok()) return false;
    try {
      keepCommits(head, previousHead, withAgent);
      return true;
    } catch (WorkspaceException unreadable) {
      return false;
    }
  }

  Snapshot describe(String snapshot) {
    Snapshot cached = described.get(snapshot);
    if (cached != null) return cached;
    if (snapshot == null || !snapshot.matches("[0-9a-f]{40}")) throw new WorkspaceException("not a snapshot id: " + snapshot, true);
    Git.Result r = Git.call(meta, inSnapshots(), null, "cat-file", "commit", snapshot);
    if (!r.ok()) {
      throw new WorkspaceException("snapshot " + snapshot + " is missing from " + snapshots
          + " (was the workspace's snapshot repository deleted, or the user's repository's objects pruned?)", true);
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
    described.put(snapshot, s);
    return s;
  }

  /** Files back to the snapshot's tree (through the snapshot repository), then HEAD and the agent's index. */
  private void restore(Snapshot target) {
    inWorkTree(env -> Git.sh(root, env, heartbeat, "set -e; git read-tree -u --reset \"$1\"; git clean -q -fd", target.tree()));
    pointHead(target);
  }

  /** A fresh checkout of {@code tree} of {@code treeish} with HEAD at {@code head} on {@code headRef}. */
  private void checkout(String head, String headRef, String treeish) {
    deleteTree(root);
    initRepository();
    inWorkTree(env -> Git.sh(root, env, heartbeat, "git read-tree -u --reset \"$1^{tree}\"", treeish));
    pointHead(new Snapshot(null, head, headRef));
  }

  private void initRepository() {
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new WorkspaceException("cannot create workspace " + root + ": " + e.getMessage(), false);
    }
    Git.run(root, Map.of(), "init", "-q", "--template=", root.toString());
    linkObjects();
  }

  /**
   * HEAD and the agent's index at the snapshot's commit (copied back from the snapshots if the
   * agent pruned it). A {@code .git} that is not a plain directory of its own (a link, a gitfile,
   * a {@code commondir}, links inside) is replaced by a fresh one first: Marathon never writes
   * through what the agent planted there.
   */
  private void pointHead(Snapshot at) {
    String problem = agent.problem();
    if (problem != null) {
      if (agent.exists()) LOG.warn("workspace {}: {}; Marathon gives it a fresh repository", key.runId(), problem);
      agent.remove();
      initRepository();
    }
    if (!agent.borrow(userObjects())) throw new WorkspaceException("cannot use the objects of " + agent.dir(), false);
    Path agentObjects = agent.dir().resolve("objects");
    Map<String, String> inAgentObjects = Map.of("GIT_DIR", snapshots.toString(), "GIT_OBJECT_DIRECTORY", agentObjects.toString());
    if (!Git.call(meta, inAgentObjects, null, "cat-file", "-e", at.head() + "^{commit}").ok()) {
      try {
        Files.createDirectories(agentObjects.resolve("pack"));
      } catch (IOException e) {
        throw new WorkspaceException("cannot write " + agentObjects + ": " + e.getMessage(), false);
      }
      Git.sh(meta, inSnapshots(), heartbeat,
          "set -e; printf '%s\\n^%s\\n' \"$1\" \"$2\" | git pack-objects -q --revs \"$3/pack/pack\" >/dev/null",
          at.head(), read(meta.resolve("base")), agentObjects.toString());
    }
    Path index = meta.resolve("agent-index");
    try {
      Files.deleteIfExists(index);
    } catch (IOException e) {
      throw new WorkspaceException("cannot remove " + index + ": " + e.getMessage(), false);
    }
    Git.run(meta, Map.of("GIT_DIR", snapshots.toString(), "GIT_INDEX_FILE", index.toString()), "read-tree", at.head());
    agent.point(at.head(), at.headRef(), index);
  }

  /** Copies the agent's new commits into the snapshot repository, so pruning its own can lose nothing. */
  private void keepCommits(String head, String previousHead, Map<String, String> withAgentObjects) {
    Git.sh(meta, withAgentObjects, heartbeat,
        "set -e; printf '%s\\n^%s\\n' \"$1\" \"$2\" | git pack-objects -q --revs \"$GIT_DIR/objects/pack/pack\" >/dev/null",
        head, previousHead);
  }

  /** Makes sure the snapshot repository exists. */
  private void ensureLayout() {
    if (!Files.exists(snapshots.resolve("HEAD"))) {
      createMeta();
      Git.run(meta, Map.of(), "init", "-q", "--bare", "--template=", snapshots.toString());
      Git.run(meta, inSnapshots(), "config", "uploadpack.allowAnySHA1InWant", "true");
      write(snapshots.resolve("info/attributes"), BYTE_EXACT);
    }
    linkObjects();
  }

  /**
   * The snapshot repository borrows the user's objects, and never the agent's: git does not write
   * an object it finds in an alternate, so a snapshot's files would otherwise live in the agent's
   * repository, which the agent can delete. The agent's objects are read only where its commits
   * are copied in (and old snapshots made before this rule are read), through the environment.
   */
  private void linkObjects() {
    Path objects = snapshots.resolve("objects/info/alternates");
    String alternates = userObjects() + "\n";
    if (!Files.exists(objects) || !read(objects).equals(alternates.strip())) write(objects, alternates);
  }

  /**
   * Git pointed at the snapshot repository that also reads the agent's objects, or null when they
   * may not be read: only after the whole {@code .git} was found sound (no link, FIFO or socket: a
   * FIFO named like a pack made every git call that read it hang) and its alternates rewritten.
   */
  private Map<String, String> withAgentObjects() {
    if (agent.problem() != null || !agent.borrow(userObjects())) return null;
    return Map.of("GIT_DIR", snapshots.toString(), "GIT_ALTERNATE_OBJECT_DIRECTORIES", agent.dir().resolve("objects").toString());
  }

  private void forgetIndex() {
    try (Stream<Path> files = Files.list(meta)) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("index") || f.getFileName().toString().startsWith("sharedindex.")).toList()) {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      throw new WorkspaceException("cannot remove the snapshot index in " + meta + ": " + e.getMessage(), false);
    }
    indexAt = null;
  }

  private String userObjects() {
    String known = userObjects;
    if (known == null) {
      String common = Git.run(repo(), Map.of(), "rev-parse", "--path-format=absolute", "--git-common-dir");
      known = userObjects = Path.of(common).resolve("objects").toString();
    }
    return known;
  }

  /** Git pointed at the snapshot repository. */
  private Map<String, String> inSnapshots() {
    return Map.of("GIT_DIR", snapshots.toString());
  }

  /**
   * Runs {@code step} with git writing the agent's working tree through the snapshot repository;
   * again reading the agent's objects too when it failed for a missing object and they are sound:
   * a snapshot made before snapshots kept their own objects may have its files only there.
   */
  private void inWorkTree(java.util.function.Consumer<Map<String, String>> step) {
    try {
      step.accept(capturing());
    } catch (WorkspaceException e) {
      Map<String, String> withAgent = e.getMessage().matches("(?s).*(invalid object|missing|unable to read|bad object|not a valid).*")
          ? withAgentObjects() : null;
      if (withAgent == null) throw e;
      Map<String, String> env = new java.util.HashMap<>(capturing());
      env.putAll(withAgent);
      step.accept(env);
    }
  }

  /**
   * Git capturing the working tree into the snapshot repository: the objects it writes go there,
   * not skipped because the agent's repository has them.
   */
  private Map<String, String> capturing() {
    // A split index: each step writes only what changed, not all of a large tree's index (7 MB for
    // 90,000 files); a file step there went from 165 to 70 ms. Shared indexes no longer used go at once.
    return Map.of("GIT_DIR", snapshots.toString(), "GIT_WORK_TREE", root.toString(), "GIT_INDEX_FILE", meta.resolve("index").toString(),
        "GIT_CONFIG_COUNT", "2", "GIT_CONFIG_KEY_0", "core.splitIndex", "GIT_CONFIG_VALUE_0", "true",
        "GIT_CONFIG_KEY_1", "splitIndex.sharedIndexExpire", "GIT_CONFIG_VALUE_1", "now");
  }

  private Path repo() {
    Path repo = Path.of(key.repo());
    if (!Files.isDirectory(repo)) throw new WorkspaceException("repository " + repo + " does not exist", true);
    return repo;
  }

  private void createMeta() {
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
    try {
      FileTrees.delete(dir);
    } catch (IOException e) {
      throw new WorkspaceException("cannot remove " + dir + ": " + e.getMessage(), false);
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
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, content, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
