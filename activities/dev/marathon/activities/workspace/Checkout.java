package dev.marathon.activities.workspace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The agent's checkout put at a snapshot: its files (tracked and untracked, byte for byte), its
 * HEAD and its index. Files are written by git pointed at Marathon's snapshot repository and index,
 * never through the agent's {@code .git}; a {@code .git} the agent made unsound (a link, a gitfile,
 * a {@code commondir}) is replaced by a fresh repository rather than written through.
 */
final class Checkout {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Workspace.class);

  private final Workspace ws;
  private final Path root;
  private final Path meta;
  private final AgentRepository agent;
  private final SnapshotRepository snapshots;
  private final SnapshotIndex index;
  private final Supplier<Runnable> heartbeat;

  Checkout(Workspace ws, SnapshotRepository snapshots, SnapshotIndex index, Supplier<Runnable> heartbeat) {
    this.ws = ws;
    this.root = ws.root();
    this.meta = ws.meta();
    this.agent = ws.agent();
    this.snapshots = snapshots;
    this.index = index;
    this.heartbeat = heartbeat;
  }

  /** Files back to the snapshot's tree (through the snapshot repository), then HEAD and the agent's index. */
  void restore(Snapshot target) {
    index.at(null); // it is rewritten to the target's tree: whoever restored says which snapshot that is
    index.catchUp(); // what the index tracks decides which files read-tree removes and which clean leaves
    inWorkTree(env -> Git.sh(root, env, heartbeat.get(), "set -e; git read-tree -u --reset \"$1\"; git clean -q -fd", target.tree()));
    pointHead(target);
  }

  /** A fresh checkout of {@code tree} of {@code treeish} with HEAD at {@code head} on {@code headRef}. */
  void recreate(String head, String headRef, String treeish) {
    index.at(null);
    Workspace.deleteTree(root, heartbeat.get());
    initRepository();
    inWorkTree(env -> Git.sh(root, env, heartbeat.get(), "git read-tree -u --reset \"$1^{tree}\"", treeish));
    index.rewritten();
    pointHead(new Snapshot(null, head, headRef));
  }

  private void initRepository() {
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new WorkspaceException("cannot create workspace " + root + ": " + e.getMessage(), false);
    }
    Git.run(root, Map.of(), "init", "-q", "--template=", root.toString());
    snapshots.linkObjects();
  }

  /**
   * HEAD and the agent's index at the snapshot's commit (copied back from the snapshots if the
   * agent pruned it). A {@code .git} that is not a plain directory of its own (a link, a gitfile,
   * a {@code commondir}, links inside) is replaced by a fresh one first: Marathon never writes
   * through what the agent planted there.
   */
  void pointHead(Snapshot at) {
    String problem = agent.problem();
    if (problem != null) {
      if (agent.exists()) LOG.warn("workspace {}: {}; Marathon gives it a fresh repository", ws.key().runId(), problem);
      agent.remove();
      initRepository();
    }
    if (!agent.borrow(ws.userObjects())) throw new WorkspaceException("cannot use the objects of " + agent.dir(), false);
    Path agentObjects = agent.dir().resolve("objects");
    Map<String, String> inAgentObjects = Map.of("GIT_DIR", snapshots.dir().toString(), "GIT_OBJECT_DIRECTORY", agentObjects.toString());
    if (!Git.call(meta, inAgentObjects, null, "cat-file", "-e", at.head() + "^{commit}").ok()) {
      try {
        Files.createDirectories(agentObjects.resolve("pack"));
      } catch (IOException e) {
        throw new WorkspaceException("cannot write " + agentObjects + ": " + e.getMessage(), false);
      }
      Git.sh(meta, snapshots.env(), heartbeat.get(),
          "set -e; printf '%s\\n^%s\\n' \"$1\" \"$2\" | git pack-objects -q --revs \"$3/pack/pack\" >/dev/null",
          at.head(), Workspace.read(meta.resolve("base")), agentObjects.toString());
    }
    Path agentIndex = meta.resolve("agent-index");
    Map<String, String> toAgentIndex = Map.of("GIT_DIR", snapshots.dir().toString(), "GIT_INDEX_FILE", agentIndex.toString());
    if (!seededWithStatData(agentIndex, toAgentIndex, at.head())) {
      removeIndex(agentIndex);
      Git.run(meta, toAgentIndex, "read-tree", at.head());
    }
    agent.point(at.head(), at.headRef(), agentIndex);
  }

  /**
   * The agent's index at {@code head}, begun from Marathon's own index, which has the stat data of
   * every file as Marathon last wrote or scanned it: {@code read-tree -m} keeps that data wherever
   * the file is as at HEAD, so the agent's first {@code git status} need not hash the whole tree
   * (5 s at 92,000 files). Written whole ({@code core.splitIndex=false}): the agent's repository
   * has no shared index to split against. False, and the plain way is taken, when Marathon has no
   * index yet or git cannot use it.
   */
  private boolean seededWithStatData(Path agentIndex, Map<String, String> toAgentIndex, String head) {
    Path own = meta.resolve("index");
    if (!Files.isRegularFile(own, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return false;
    try {
      // With its mtime: git trusts an entry's stat data only if the entry is older than the index file
      // (a file changed in the second the index was written is "racily clean" and must be hashed).
      Files.copy(own, agentIndex, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
    } catch (IOException e) {
      return false;
    }
    Map<String, String> env = new java.util.HashMap<>(toAgentIndex);
    // -m wants a work tree. Without -u it writes none of it; it lstats entries (never following a link)
    // and hashes a racily clean file as Marathon's own `git add` does. A file changed since Marathon's
    // index was written makes it fail ("not uptodate"), and then the plain way is taken.
    env.put("GIT_WORK_TREE", root.toString());
    return Git.call(meta, env, heartbeat.get(), "-c", "core.splitIndex=false", "read-tree", "-m", head).ok();
  }

  private static void removeIndex(Path index) {
    try {
      Files.deleteIfExists(index);
    } catch (IOException e) {
      throw new WorkspaceException("cannot remove " + index + ": " + e.getMessage(), false);
    }
  }

  /**
   * Runs {@code step} with git writing the agent's working tree through the snapshot repository;
   * again reading the agent's objects too when it failed for a missing object and they are sound:
   * a snapshot made before snapshots kept their own objects may have its files only there.
   */
  private void inWorkTree(Consumer<Map<String, String>> step) {
    try {
      step.accept(index.env());
    } catch (WorkspaceException e) {
      Map<String, String> withAgent = e.getMessage().matches("(?s).*(invalid object|missing|unable to read|bad object|not a valid).*")
          ? snapshots.withAgentObjects() : null;
      if (withAgent == null) throw e;
      Map<String, String> env = new java.util.HashMap<>(index.env());
      env.putAll(withAgent);
      step.accept(env);
    }
  }
}
