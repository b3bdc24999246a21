package dev.marathon.activities.workspace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Marathon's own index of the agent's working tree ({@code <run>.marathon/index}, never the
 * agent's): how the working tree becomes a tree of the snapshot repository, and what is left out
 * of it. The agent's index, hooks and config are never read for it. What a snapshot cannot or must
 * not hold — a repository nested in the workspace, a new file over {@link LargeFiles#MAX_BYTES} —
 * is left out ({@link LeftOut}), said in the log and to the agent, never a reason for every later
 * snapshot to fail.
 *
 * <p>It also knows which snapshot it last matched: a file tool's snapshot then only needs git to
 * look at the one path the tool wrote.
 */
final class SnapshotIndex {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Workspace.class);

  private final Workspace ws;
  private final Path root;
  private final Path meta;
  private final Path snapshots;
  private final LeftOut excluded;
  private final Supplier<Runnable> heartbeat;
  /** What the last snapshot left out (see {@link Steps#leftOutByLastSnapshot}). */
  private volatile List<String> leftOut = List.of();
  /**
   * The snapshot whose tree the snapshot index (and so git's stat cache) matches, set where this
   * process made that true; a file tool's snapshot then only needs to look at the path it wrote.
   */
  private volatile String indexAt;

  SnapshotIndex(Workspace ws, Supplier<Runnable> heartbeat) {
    this.ws = ws;
    this.root = ws.root();
    this.meta = ws.meta();
    this.snapshots = ws.snapshots();
    this.excluded = new LeftOut(meta.resolve("left-out"));
    this.heartbeat = heartbeat;
  }

  /** Whether the index is known to match {@code snapshot}. */
  boolean matches(String snapshot) {
    return snapshot.equals(indexAt);
  }

  /** The index now matches {@code snapshot} (null: it is not known to match any). */
  void at(String snapshot) {
    indexAt = snapshot;
  }

  /** What the last {@link #tree} left out, as lines for the agent; empty when nothing. */
  List<String> leftOut() {
    return leftOut;
  }

  /**
   * The working tree as a tree object of the snapshot repository: {@code git add -A} (of {@code
   * onlyPath} alone, when not null) and {@code git write-tree} through Marathon's own index. A
   * repository nested in the workspace ({@code git init sub}) is not the agent's work tree's
   * content git can store as files: it is left out of snapshots (said in the log), never a reason
   * for every later snapshot to fail.
   */
  String tree(String onlyPath) {
    leftOut = List.of();
    if (onlyPath == null) {
      List<String> large = LargeFiles.in(root, env(), heartbeat.get(), excluded.excludes());
      if (!large.isEmpty()) leaveOut(large, "files over " + (LargeFiles.MAX_BYTES >> 20) + " MB");
    }
    for (int attempt = 0; ; attempt++) {
      List<String> add = new java.util.ArrayList<>(List.of("add", "-A", "--"));
      if (onlyPath != null) add.add(":(literal)" + onlyPath);
      add.addAll(excluded.excludes());
      Git.Result added = Git.call(root, env(), heartbeat.get(), add.toArray(String[]::new));
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
      Git.Result tree = added.ok() ? Git.call(root, env(), heartbeat.get(), "write-tree") : added;
      if (!tree.ok() && attempt == 0 && tree.err().contains("invalid object")) {
        // The index names a blob the snapshot repository lacks (it was written to the agent's
        // objects, which the agent can delete): forget the index, so every file is hashed again.
        forget();
        onlyPath = null;
        continue;
      }
      if (!tree.ok()) throw new WorkspaceException("git failed in " + root + ": " + tree.err().strip(), false);
      return tree.out().strip();
    }
  }

  /** Paths go on Marathon's list of what snapshots leave out, and out of its index: in the workspace, not in snapshots or the branch. */
  private List<String> leaveOut(List<String> paths, String what) {
    List<String> added = excluded.add(paths);
    if (added.isEmpty()) return added;
    LOG.warn("workspace {}: {} are left out of its snapshots and branch: {}", ws.key().runId(), what, added);
    List<String> told = new java.util.ArrayList<>(leftOut);
    told.add(what + " stay in the workspace but are left out of the run's snapshots and its branch: " + String.join(", ", added));
    leftOut = List.copyOf(told);
    List<String> rm = new java.util.ArrayList<>(List.of("rm", "-r", "-q", "--cached", "--ignore-unmatch", "--"));
    for (String p : added) rm.add(":(literal)" + p);
    Git.call(root, env(), heartbeat.get(), rm.toArray(String[]::new));
    return added;
  }

  /** Deletes the index (split index included): the next snapshot hashes every file again. */
  void forget() {
    try (Stream<Path> files = Files.list(meta)) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("index") || f.getFileName().toString().startsWith("sharedindex.")).toList()) {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      throw new WorkspaceException("cannot remove the snapshot index in " + meta + ": " + e.getMessage(), false);
    }
    indexAt = null;
  }

  /**
   * Git capturing the working tree into the snapshot repository: the objects it writes go there,
   * not skipped because the agent's repository has them.
   */
  Map<String, String> env() {
    // A split index: each step writes only what changed, not all of a large tree's index (7 MB for
    // 90,000 files); a file step there went from 165 to 70 ms. Shared indexes no longer used go at once.
    // A checkout (a workspace created or restored) writes its files with one worker per core: 90,000
    // files went from 4.5 to 2.5 s here, and 3-5x on a busy disk.
    return Map.of("GIT_DIR", snapshots.toString(), "GIT_WORK_TREE", root.toString(), "GIT_INDEX_FILE", meta.resolve("index").toString(),
        "GIT_CONFIG_COUNT", "3", "GIT_CONFIG_KEY_0", "core.splitIndex", "GIT_CONFIG_VALUE_0", "true",
        "GIT_CONFIG_KEY_1", "splitIndex.sharedIndexExpire", "GIT_CONFIG_VALUE_1", "now",
        "GIT_CONFIG_KEY_2", "checkout.workers", "GIT_CONFIG_VALUE_2", "0");
  }
}
