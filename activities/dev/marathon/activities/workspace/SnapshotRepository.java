package dev.marathon.activities.workspace;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Marathon's own repository beside the agent's checkout ({@code <run>.marathon/snapshots.git}),
 * where a run's snapshots and the agent's commits they name are kept, out of the agent's reach.
 * A snapshot is a commit here: its tree is the working tree exactly as it was (byte for byte: this
 * repository's attributes turn every conversion off; ignored files are caches and left out), its
 * first parent is the commit the agent's HEAD was at, its second the previous snapshot, and its
 * message records HEAD's branch.
 *
 * <p>Git reads and writes content only through this repository, whose config and attributes are
 * Marathon's: no filter, textconv, merge driver or hook the agent planted runs here.
 */
final class SnapshotRepository {
  private static final String DETACHED = AgentRepository.DETACHED;
  private static final String SNAPSHOTS_REF = "refs/marathon/snapshots";
  /** In the snapshot repository, every attribute that would change bytes is switched off. */
  private static final String BYTE_EXACT = "* -text -eol -crlf -filter -ident -working-tree-encoding\n";

  private final Workspace ws;
  private final Path meta;
  private final Path dir;
  private final LooseObjects objects;
  /** What long git commands call while they run: the lease holder's heartbeat, as it is when they start. */
  private final Supplier<Runnable> heartbeat;
  private final Map<String, Snapshot> described = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Snapshot> eldest) {
      return size() > 64;
    }
  });

  SnapshotRepository(Workspace ws, Supplier<Runnable> heartbeat) {
    this.ws = ws;
    this.meta = ws.meta();
    this.dir = ws.snapshots();
    this.objects = new LooseObjects(dir);
    this.heartbeat = heartbeat;
  }

  Path dir() {
    return dir;
  }

  /** Git pointed at the snapshot repository. */
  Map<String, String> env() {
    return Map.of("GIT_DIR", dir.toString());
  }

  /** Makes sure the snapshot repository exists. */
  void ensure() {
    if (!Files.exists(dir.resolve("HEAD"))) {
      ws.createMeta();
      Git.run(meta, Map.of(), "init", "-q", "--bare", "--template=", dir.toString());
      Git.run(meta, env(), "config", "uploadpack.allowAnySHA1InWant", "true");
      Workspace.write(dir.resolve("info/attributes"), BYTE_EXACT);
    }
    linkObjects();
  }

  /**
   * The snapshot repository borrows the user's objects, and never the agent's: git does not write
   * an object it finds in an alternate, so a snapshot's files would otherwise live in the agent's
   * repository, which the agent can delete. The agent's objects are read only where its commits
   * are copied in (and old snapshots made before this rule are read), through the environment.
   */
  void linkObjects() {
    Path objects = dir.resolve("objects/info/alternates");
    String alternates = ws.userObjects() + "\n";
    if (!Files.exists(objects) || !Workspace.read(objects).equals(alternates.strip())) Workspace.write(objects, alternates);
  }

  /** Whether this repository (or the origin it borrows from) holds {@code commit}. */
  boolean has(String commit) {
    return commit != null && commit.matches("[0-9a-f]{40}") && Files.exists(dir.resolve("HEAD"))
        && Git.call(meta, env(), null, "cat-file", "-e", commit + "^{commit}").ok();
  }

  /**
   * A git pack of what {@code tip} holds beyond {@code exclude} (its files, the agent's commits):
   * one {@code pack-objects}, written to a file beside the repository and read back. Thin: a
   * changed tree or file is a delta against its version in {@code exclude}, which the receiver
   * has (on 90,000 files a step's root tree alone is 25 KB whole, a few bytes as a delta).
   */
  byte[] pack(String tip, String exclude, Runnable heartbeat) {
    Path pack = meta.resolve("shipping-" + java.util.UUID.randomUUID() + ".pack");
    try {
      Git.sh(meta, env(), heartbeat, "printf '%s\\n^%s\\n' \"$1\" \"$2\" | git pack-objects -q --revs --thin --stdout > \"$3\"",
          tip, exclude, pack.toString());
      return Files.readAllBytes(pack);
    } catch (java.io.IOException e) {
      throw new WorkspaceException("cannot read " + pack + ": " + e.getMessage(), false);
    } finally {
      deleteQuietly(pack);
    }
  }

  /**
   * Adds the objects of a pack {@link #pack} made (in any run's snapshot repository) to this one,
   * all or none: {@code index-pack} checks every object and what it links to, and the pack appears
   * under its name only once whole (a crash halfway leaves nothing that {@link #has} would trust).
   */
  void unpack(byte[] pack, Runnable heartbeat) {
    Path file = meta.resolve("receiving-" + java.util.UUID.randomUUID() + ".pack"); // the CLI may receive beside a worker
    try {
      Files.write(file, pack);
      Git.sh(meta, env(), heartbeat, "git index-pack --stdin --fix-thin --strict < \"$1\" >/dev/null", file.toString());
    } catch (java.io.IOException e) {
      throw new WorkspaceException("cannot write " + file + ": " + e.getMessage(), false);
    } finally {
      deleteQuietly(file);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (java.io.IOException ignored) {
      // a leftover is replaced by the next one
    }
  }

  /** What snapshot {@code snapshot} records; refuses an id that is no snapshot of this repository. */
  Snapshot describe(String snapshot) {
    Snapshot cached = described.get(snapshot);
    if (cached != null) return cached;
    if (snapshot == null || !snapshot.matches("[0-9a-f]{40}")) throw new WorkspaceException("not a snapshot id: " + snapshot, true);
    Git.Result r = Git.call(meta, env(), null, "cat-file", "commit", snapshot);
    if (!r.ok()) {
      throw new WorkspaceException("snapshot " + snapshot + " is missing from " + dir
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

  /**
   * Writes {@code now} as the snapshot after {@code previous} (null for a run's first) and moves
   * the snapshots ref to it; returns its id.
   */
  String record(Snapshot now, String previous, String label) {
    // A fixed date: a retried step that snapshots the same state makes the very same commit.
    String signature = "Marathon <marathon@localhost> 0 +0000";
    String commit = objects.writeCommit("tree " + now.tree() + "\nparent " + now.head() + "\n"
        + (previous == null ? "" : "parent " + previous + "\n")
        + "author " + signature + "\ncommitter " + signature + "\n\n"
        + "marathon snapshot " + label.replaceAll("[\\r\\n\\x00]", " ") + "\n\nhead-ref: " + now.headRef() + "\n");
    objects.updateRef(SNAPSHOTS_REF, commit);
    described.put(commit, now);
    return commit;
  }

  /** A commit of the snapshot's files on top of its HEAD, or its HEAD when nothing is uncommitted. */
  String commitTree(Snapshot at, Map<String, String> identity, String date, String message) {
    String headTree = Git.run(meta, env(), "rev-parse", at.head() + "^{tree}");
    if (headTree.equals(at.tree())) return at.head();
    return Git.sh(meta, commitEnv(identity, date), heartbeat.get(), "git commit-tree \"$1\" -p \"$2\" -m \"$3\"",
        at.tree(), at.head(), message).strip();
  }

  /** Git pointed at this repository, committing as {@code identity} at {@code date}. */
  Map<String, String> commitEnv(Map<String, String> identity, String date) {
    Map<String, String> env = new java.util.HashMap<>(identity);
    env.putAll(env());
    env.put("GIT_AUTHOR_DATE", date);
    env.put("GIT_COMMITTER_DATE", date);
    return env;
  }

  /**
   * Copies into this repository what another run's repository holds of snapshot {@code at} since
   * the user's commit {@code base}: the commits and files a run started from another run needs.
   */
  void copyFrom(SnapshotRepository other, Snapshot at, String base) {
    Git.sh(meta, Map.of(), heartbeat.get(),
        "set -e; printf '%s\\n%s\\n^%s\\n' \"$3\" \"$4\" \"$5\" | (export GIT_DIR=\"$1\"; git pack-objects -q --revs --stdout)"
            + " | (export GIT_DIR=\"$2\"; git unpack-objects -q)",
        other.dir.toString(), dir.toString(), at.head(), at.tree(), base);
  }

  /**
   * Copies the agent's commits from {@code head} back to {@code previousHead} into the snapshot
   * repository; false when {@code head} is no commit whose objects can all be read (a ref the
   * agent wrote by hand), and nothing is copied.
   */
  boolean keptCommits(String head, String previousHead) {
    Map<String, String> withAgent = withAgentObjects();
    if (withAgent == null || !Git.call(meta, withAgent, null, "cat-file", "-e", head + "^{commit}").ok()) return false;
    try {
      keepCommits(head, previousHead, withAgent);
      return true;
    } catch (WorkspaceException unreadable) {
      return false;
    }
  }

  /** Copies the agent's new commits into the snapshot repository, so pruning its own can lose nothing. */
  private void keepCommits(String head, String previousHead, Map<String, String> withAgentObjects) {
    Git.sh(meta, withAgentObjects, heartbeat.get(),
        "set -e; printf '%s\\n^%s\\n' \"$1\" \"$2\" | git pack-objects -q --revs \"$GIT_DIR/objects/pack/pack\" >/dev/null",
        head, previousHead);
  }

  /**
   * Git pointed at the snapshot repository that also reads the agent's objects, or null when they
   * may not be read: only after the whole {@code .git} was found sound (no link, FIFO or socket: a
   * FIFO named like a pack made every git call that read it hang) and its alternates rewritten.
   */
  Map<String, String> withAgentObjects() {
    AgentRepository agent = ws.agent();
    if (agent.problem() != null || !agent.borrow(ws.userObjects())) return null;
    return Map.of("GIT_DIR", dir.toString(), "GIT_ALTERNATE_OBJECT_DIRECTORIES", agent.dir().resolve("objects").toString());
  }
}
