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
  /** What changed in the work tree since the last whole-tree snapshot asked. */
  private final WorkTreeChanges changes;
  /** Builds a step's tree from the tree it began at, without git. */
  private final ChangedTree changedTree;
  /** Where the index lags the last tree built without git, for every worker process ({@link IndexLag}). */
  private final IndexLag lag;
  /** What the last snapshot left out (see {@link Steps#leftOutByLastSnapshot}). */
  private volatile List<String> leftOut = List.of();
  /**
   * The snapshot whose tree the work tree was at as far as this process knows, set where this
   * process made that true (the index matches it but where {@link #lag} says); a step's snapshot
   * then only needs to look at the paths it changed.
   */
  private volatile String indexAt;
  /**
   * Every this many shell steps a snapshot looks at the whole tree even so: what no notification
   * reports (a file changed only through a shared memory map) is in the record at most this late.
   */
  static final int WHOLE_TREE_EVERY = 25;
  private int sinceWholeTreeScan;
  /** How many snapshots looked at every file of the tree (the others looked at what changed). */
  private final java.util.concurrent.atomic.AtomicInteger wholeTreeScans = new java.util.concurrent.atomic.AtomicInteger();
  /** How many snapshots of what changed were made by git (the others by {@link ChangedTree}, or had nothing to make). */
  private final java.util.concurrent.atomic.AtomicInteger gitSnapshots = new java.util.concurrent.atomic.AtomicInteger();

  SnapshotIndex(Workspace ws, Supplier<Runnable> heartbeat) {
    this.ws = ws;
    this.root = ws.root();
    this.meta = ws.meta();
    this.snapshots = ws.snapshots();
    this.excluded = new LeftOut(meta.resolve("left-out"));
    this.heartbeat = heartbeat;
    this.changes = new WorkTreeChanges(root, meta.resolve("changes"), ws.key().runId());
    this.changedTree = new ChangedTree(root, snapshots);
    this.lag = new IndexLag(meta.resolve("index-lag"));
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
   * The working tree as a tree object of the snapshot repository. With {@code matchedTree} (the
   * tree of the snapshot this process last left the work tree at, or null when it does not know),
   * only what changed since is looked at: {@code onlyPath} when not null (the file a file tool
   * wrote), else the paths the kernel said changed; when nothing changed (a command that only
   * read) nothing is asked at all. Otherwise, or when that cannot be sure, the whole tree: {@code
   * git add -A} and {@code git write-tree} through Marathon's own index. A repository nested in the
   * workspace ({@code git init sub}) is not the agent's work tree's content git can store as files:
   * it is left out of snapshots (said in the log), never a reason for every later snapshot to fail.
   */
  String tree(String onlyPath, String matchedTree) {
    leftOut = List.of();
    if (onlyPath != null && matchedTree != null && !WorkTreeChanges.isIgnoreFile(onlyPath)) {
      String tree = treeOf(List.of(onlyPath), matchedTree);
      if (tree != null) return tree;
    } else if (onlyPath == null) {
      WorkTreeChanges.Changes changed = changes.drain();
      if (changed == null) changes.restart(heartbeat.get());
      boolean useChanges = changed != null && matchedTree != null && !changed.ignoreRulesChanged()
          && sinceWholeTreeScan < WHOLE_TREE_EVERY;
      String tree = !useChanges ? null : changed.paths().isEmpty() ? matchedTree : treeOf(changed.paths(), matchedTree);
      if (tree != null) {
        sinceWholeTreeScan++;
        return tree;
      }
      sinceWholeTreeScan = 0;
    }
    wholeTreeScans.incrementAndGet(); // what treeOf left out and said stays said
    catchUp();
    List<String> large = LargeFiles.in(root, env(), heartbeat.get(), excluded.excludes());
    if (!large.isEmpty()) leaveOut(large, "files over " + (LargeFiles.MAX_BYTES >> 20) + " MB");
    for (int attempt = 0; ; attempt++) {
      List<String> add = new java.util.ArrayList<>(List.of("add", "-A", "--"));
      add.addAll(excluded.excludes());
      Git.Result added = Git.call(root, env(), heartbeat.get(), add.toArray(String[]::new));
      List<String> nested = NestedRepositories.in(added.err());
      if (!added.ok() && added.err().contains("does not have a commit checked out") && excluded.paths().containsAll(nested)) {
        nested = NestedRepositories.find(root); // a name git's message cannot carry (a newline in it)
      }
      if (attempt < 20 && !leaveOut(nested, "nested git repositories").isEmpty()) continue;
      if (attempt < 20 && !leaveOut(UnsafePaths.in(added.err()), "paths git refuses (they are .git on another file system)").isEmpty()) continue;
      Git.Result tree = added.ok() ? Git.call(root, env(), heartbeat.get(), "write-tree") : added;
      if (!tree.ok() && attempt == 0 && tree.err().contains("invalid object")) {
        // The index names a blob the snapshot repository lacks (it was written to the agent's
        // objects, which the agent can delete): forget the index, so every file is hashed again.
        forget();
        continue;
      }
      if (!tree.ok()) throw new WorkspaceException("git failed in " + root + ": " + tree.err().strip(), false);
      return tree.out().strip();
    }
  }

  /**
   * The tree after a step whose every change {@code changed} names, from {@code matchedTree}, the
   * tree before it: built by {@link ChangedTree} where it can be sure, else by git through the
   * index (which matches {@code matchedTree} but where {@link #lag} says): paths gone are taken out
   * of the index, paths present are added (those ignored stay out, as in a whole-tree add; nested
   * repositories are left out, as there), and nothing else is looked at. Null when this cannot be
   * sure or git refused: the caller looks at the whole tree.
   */
  private String treeOf(java.util.Collection<String> changed, String matchedTree) {
    List<List<String>> sorted = presentAndGone(changed);
    if (sorted == null) return null;
    IndexLag.Lag behind = lag.read();
    if (behind != null && !behind.tree().equals(matchedTree)) {
      // The lag is of the tree this step began from, or the index is first brought up to date (a defence: nothing else leaves it so).
      if (!catchUp()) return null;
      behind = null;
    }
    if ((behind == null ? 0 : behind.paths().size()) + changed.size() <= ChangedTree.MAX_PATHS) {
      IgnoreRules rules = new IgnoreRules(root, List.of(snapshots.resolve("info/exclude")));
      ChangedTree.Result built = changedTree.edit(matchedTree, sorted.get(0), sorted.get(1), excluded.paths(), rules, heartbeat.get());
      if (built != null) {
        lag.add(built.tree(), built.changed());
        return built.tree();
      }
    }
    gitSnapshots.incrementAndGet();
    return catchUp() ? gitTreeOf(sorted.get(0), sorted.get(1)) : null;
  }

  /**
   * Brings the index to the tree {@link #lag} names at the paths it names ({@code git reset <tree> --
   * <paths>}: entries only, the work tree untouched); done before git looks at the work tree
   * through the index, and before a restore. The entries lose their stat data, so git hashes those
   * few files again. False, and the index forgotten (the next snapshot hashes every file), when
   * git refused.
   */
  boolean catchUp() {
    IndexLag.Lag behind = lag.read();
    if (behind == null) return true;
    boolean done = Git.call(root, env(), heartbeat.get(), "reset", "-q", behind.tree(),
        "--pathspec-from-file=" + pathspecs(List.copyOf(behind.paths()), List.of()), "--pathspec-file-nul").ok();
    if (!done) {
      LOG.warn("workspace {}: Marathon's index could not be brought up to date; it is rebuilt from {}", ws.key().runId(), behind.tree());
      if (!Git.call(root, env(), heartbeat.get(), "read-tree", behind.tree()).ok()) forget();
    }
    lag.clear();
    return done;
  }

  /** {@code paths} as those present (list 0) and those gone (list 1); null when one is not safely the tree's. */
  private List<List<String>> presentAndGone(java.util.Collection<String> paths) {
    List<String> present = new java.util.ArrayList<>();
    List<String> gone = new java.util.ArrayList<>();
    Map<String, Boolean> repositories = new java.util.HashMap<>();
    try {
      Path realRoot = root.toRealPath();
      for (String path : paths) {
        Path file = root.resolve(path);
        Map<String, Object> a;
        try {
          a = WorkTreeChanges.attributes(file, "");
        } catch (java.nio.file.FileSystemException e) {
          boolean missing = e instanceof java.nio.file.NoSuchFileException || "Not a directory".equals(e.getReason());
          if (!missing) return null;
          gone.add(path); // or never there, or its directory is a file now: git rm --ignore-unmatch is fine with any
          continue;
        }
        // Below a link the agent made, a path is not the tree's (git refuses it; a walk would leave the tree).
        if (!file.getParent().toRealPath().equals(realRoot.resolve(path).getParent())) return null;
        // In a repository nested in the tree, git adds nothing and says nothing: the whole-tree scan leaves it out and says so.
        if (inNestedRepository(path, repositories)) return null;
        if (WorkTreeChanges.hasOtherNames(a)) {
          changes.disable("a file with more than one name: " + path);
          return null;
        }
        present.add(path);
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return List.of(present, gone);
  }

  /** {@link #treeOf} by git: the index takes {@code gone} out and {@code present} in, then the tree is written. */
  private String gitTreeOf(List<String> present, List<String> gone) {
    LargeFiles.Among among = LargeFiles.among(root, env(), heartbeat.get(), excluded.excludes(), present);
    if (among == null) return null;
    if (among.otherNames()) {
      changes.disable("a file with more than one name in a new directory");
      return null;
    }
    if (!among.large().isEmpty()) leaveOut(among.large(), "files over " + (LargeFiles.MAX_BYTES >> 20) + " MB");
    if (!gone.isEmpty() && !Git.call(root, env(), heartbeat.get(), "rm", "-r", "-q", "--cached", "--ignore-unmatch",
        "--pathspec-from-file=" + pathspecs(gone, List.of()), "--pathspec-file-nul").ok()) {
      return null;
    }
    if (!present.isEmpty()) {
      Git.Result added = Git.call(root, env(), heartbeat.get(), "-c", "advice.addIgnoredFile=false", "add", "-A",
          "--pathspec-from-file=" + pathspecs(present, excluded.excludes()), "--pathspec-file-nul");
      // A path named exactly that an ignore rule covers is said and left out (exit 1); the rest is added all the same.
      boolean ignoredNamed = added.exit() == 1 && added.err().contains(IGNORED) && !added.err().matches("(?sm).*^(fatal|error):.*");
      if (!added.ok() && !ignoredNamed) return null;
      // A repository with commits nested in the tree is added as a bare commit id, with a warning: left out, as a whole-tree add does.
      List<String> nested = NestedRepositories.in(added.err());
      if (!nested.isEmpty() && leaveOut(nested, "nested git repositories").size() != nested.size()) return null;
    }
    Git.Result tree = Git.call(root, env(), heartbeat.get(), "write-tree");
    return tree.ok() ? tree.out().strip() : null;
  }

  /** Whether a directory above {@code path} (below the root) holds a {@code .git}; {@code seen} remembers directories asked about. */
  private boolean inNestedRepository(String path, Map<String, Boolean> seen) {
    for (int slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
      String dir = path.substring(0, slash);
      Boolean repo = seen.get(dir);
      if (repo == null) {
        repo = Files.exists(root.resolve(dir).resolve(".git"), java.nio.file.LinkOption.NOFOLLOW_LINKS);
        seen.put(dir, repo);
      }
      if (repo) return true;
    }
    return false;
  }

  /** What git says when a path named is ignored; it adds the others and exits 1. */
  private static final String IGNORED = "The following paths are ignored by one of your .gitignore files:";

  /**
   * {@code paths} as literal pathspecs, with {@code more}, in a file of Marathon's for git's
   * --pathspec-from-file, in the bytes the file system has them in.
   */
  private Path pathspecs(List<String> paths, List<String> more) {
    StringBuilder specs = new StringBuilder();
    for (String p : paths) specs.append(":(literal)").append(p).append('\0');
    for (String m : more) specs.append(m).append('\0');
    Path file = meta.resolve("pathspecs");
    try {
      Files.write(file, specs.toString().getBytes(WorkTreeChanges.FILE_NAMES));
    } catch (IOException e) {
      throw new WorkspaceException("cannot write " + file + ": " + e.getMessage(), false);
    }
    return file;
  }

  int wholeTreeScans() {
    return wholeTreeScans.get();
  }

  int gitSnapshots() {
    return gitSnapshots.get();
  }

  /** The index was written whole from a tree (a new checkout): nothing lags. */
  void rewritten() {
    lag.clear();
  }

  /** Stops watching the work tree for changes (its checkout is going away). */
  void stopWatching() {
    changes.stop();
  }

  /** Paths go on Marathon's list of what snapshots leave out, and out of its index: in the workspace, not in snapshots or the branch. */
  private List<String> leaveOut(List<String> paths, String what) {
    List<String> added = excluded.add(paths);
    if (added.isEmpty()) return added;
    LOG.warn("workspace {}: {} are left out of its snapshots and branch: {}", ws.key().runId(), what, added);
    List<String> told = new java.util.ArrayList<>(leftOut);
    told.add(what + " stay in the workspace but are left out of the run's snapshots and its branch: " + String.join(", ", added));
    leftOut = List.copyOf(told);
    // -f: a repository nested with commits is already in the index as a commit id the snapshot's HEAD lacks, which rm otherwise keeps.
    List<String> rm = new java.util.ArrayList<>(List.of("rm", "-r", "-q", "-f", "--cached", "--ignore-unmatch", "--"));
    for (String p : added) rm.add(":(literal)" + p);
    Git.call(root, env(), heartbeat.get(), rm.toArray(String[]::new));
    return added;
  }

  /** Deletes the index (split index included): the next snapshot hashes every file again. */
  void forget() {
    try (Stream<Path> files = Files.list(meta)) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("index") || f.getFileName().toString().startsWith("sharedindex.")).toList()) {
        if (!f.getFileName().toString().startsWith("index-lag")) Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      throw new WorkspaceException("cannot remove the snapshot index in " + meta + ": " + e.getMessage(), false);
    }
    indexAt = null;
    lag.clear();
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
