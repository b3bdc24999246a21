package dev.marathon.activities.workspace;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tree a step left, built by Marathon itself from the tree the step began at and the paths it
 * changed: each changed file is stored as a blob, and only the trees above it are written again.
 * {@code git add} and {@code git write-tree} (two processes, each reading the whole index: ~50 ms
 * at 90,000 files) are not started, so a step costs about the same in a repository of one file or
 * of a hundred thousand.
 *
 * <p>It must make exactly the tree {@code git add -A} would. Where that needs more than it knows,
 * it answers null and the caller asks git: a path that is a directory (a new one is walked by
 * git), a change of a path's kind between file and directory, a tree that is not a loose object
 * here (packed, or only in the user's objects), a mode git would write differently, a name git
 * refuses or treats specially, a file larger than {@link #MAX_INLINE_BYTES}, and an ignore rule
 * {@link IgnoreRules} cannot decide. A new file an ignore rule covers stays out, as with git; a
 * change to a tracked file is taken whatever the rules say, as with git.
 */
final class ChangedTree {
  /** Larger files are hashed by git, which streams them (a file step's file is rarely this large). */
  static final long MAX_INLINE_BYTES = 16L << 20;
  private static final String TREE = "40000";
  private static final List<String> MODES = List.of("100644", "100755", "120000", TREE, "160000");
  /**
   * Names git refuses ({@code core.protectNTFS}, on by default: {@code .git} spelt another way, or
   * behind a backslash, which NTFS reads as a separator; see {@link UnsafePaths}) or reads as its
   * own ({@code .gitmodules}, {@code .gitattributes}): git decides about them.
   */
  private static final java.util.regex.Pattern GIT_NAME =
      java.util.regex.Pattern.compile("(?i)(\\.git.*|git~.*|gitmod~.*|gi7eba~.*|.*[ .]|.*[\\\\:].*)");
  /** More paths than this in one step are git's: one walk is then cheaper than a blob and an fsync each. */
  static final int MAX_PATHS = 1_000;

  private final Path root;
  private final Path gitDir;
  private final LooseObjects objects;
  /** Whether git here takes modes, links and names as this class does (a file system can make it say otherwise at init); read at first use. */
  private Boolean gitAgrees;
  /** At most this many entries of trees are kept in memory per workspace (~1.5 MB; a swarm has 300 workspaces). */
  private static final int CACHED_ENTRIES = 10_000;
  /** Trees read or written lately, by id (content-addressed: never stale), least recently used first. */
  private final LinkedHashMap<String, Map<String, Entry>> trees = new LinkedHashMap<>(64, 0.75f, true);
  private int cachedEntries;

  ChangedTree(Path root, Path gitDir) {
    this.root = root;
    this.gitDir = gitDir;
    this.objects = new LooseObjects(gitDir);
  }

  /**
   * Whether the snapshot repository's config leaves git's defaults that this class builds on: the
   * executable bit is trusted ({@code core.fileMode}, which {@code git init} sets false on a file
   * system without it), links are links, names are compared byte for byte.
   */
  private static boolean gitAgrees(Path config) {
    try {
      String text = Files.readString(config, StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT).replace(" ", "").replace("\t", "");
      return !text.contains("filemode=false") && !text.contains("symlinks=false") && !text.contains("ignorecase=true")
          && !text.contains("precomposeunicode=true");
    } catch (IOException e) {
      return false;
    }
  }

  /** An entry of a tree: its mode as git writes it, and the object's id (hex). */
  private record Entry(String mode, String id) {
    boolean isTree() {
      return mode.equals(TREE);
    }
  }

  /** A tree and the paths whose entries it changed (Marathon's index no longer matches it there). */
  record Result(String tree, List<String> changed) {}

  /** Thrown where git must decide. */
  private static final class AskGit extends Exception {
    AskGit() {
      super(null, null, false, false);
    }
  }

  /**
   * The tree after a step that changed no more than {@code present} (files and links as they now
   * are) and {@code gone} (paths no longer there) in the tree {@code base}; null when git must say.
   */
  Result edit(String base, List<String> present, List<String> gone, java.util.Collection<String> leftOut, IgnoreRules rules,
      Runnable heartbeat) {
    if (gitAgrees == null) gitAgrees = gitAgrees(gitDir.resolve("config"));
    if (!gitAgrees || present.size() + gone.size() > MAX_PATHS) return null;
    objects.defer(); // the blobs and trees are made durable together, below
    try {
      Map<String, Entry> edits = new TreeMap<>(); // path (bytes) -> new entry, or null to remove
      for (String path : gone) {
        check(path, leftOut);
        edits.put(WorkTreeChanges.asBytes(path), null);
      }
      int done = 0;
      for (String path : present) {
        if (++done % 100 == 0) heartbeat.run();
        check(path, leftOut);
        String key = WorkTreeChanges.asBytes(path);
        Entry before = find(base, key);
        if (before != null && before.isTree() || before != null && before.mode.equals("160000")) throw new AskGit();
        if (before == null) {
          Boolean ignored = rules.ignored(path);
          if (ignored == null) throw new AskGit();
          if (ignored) continue; // as git add -A: an untracked file a rule covers stays out
        }
        edits.put(key, stored(root.resolve(path)));
      }
      List<String> changed = new ArrayList<>();
      String tree = apply(base, "", edits, changed);
      Result result = new Result(tree == null ? objects.writeTree(new byte[0]) : tree, changed);
      objects.settle();
      return result;
    } catch (AskGit | IOException e) {
      return null;
    } finally {
      objects.abandon(); // after settle, nothing; else what the edit wrote is named by nothing: gone
    }
  }

  private static void check(String path, java.util.Collection<String> leftOut) throws AskGit {
    for (String part : path.split("/", -1)) {
      if (part.isEmpty() || GIT_NAME.matcher(part).matches()) throw new AskGit();
    }
    for (String out : leftOut) {
      if (path.equals(out) || path.startsWith(out + "/") || out.startsWith(path + "/")) throw new AskGit();
    }
  }

  /** A file or link stored as a blob, with the mode git gives it; what git must look at throws. */
  private Entry stored(Path file) throws IOException, AskGit {
    Map<String, Object> a = WorkTreeChanges.attributes(file, "size");
    int type = ((Integer) a.get("mode")) & 0170000;
    byte[] content;
    String mode;
    if (type == 0100000) {
      long size = (Long) a.get("size");
      if (size > MAX_INLINE_BYTES) throw new AskGit();
      content = new byte[(int) size];
      // Never through a link, never more than lstat said: what is there now may not be what was.
      try (var in = Files.newByteChannel(file, java.nio.file.StandardOpenOption.READ, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(content);
        while (buf.hasRemaining() && in.read(buf) >= 0) {}
        if (buf.hasRemaining() || in.read(java.nio.ByteBuffer.allocate(1)) > 0) throw new AskGit(); // still being written: git must look
      }
      mode = (((Integer) a.get("mode")) & 0100) != 0 ? "100755" : "100644";
    } else if (type == 0120000) {
      String target = Files.readSymbolicLink(file).toString();
      if (target.indexOf('\uFFFD') >= 0) throw new AskGit(); // not a string in the file names' encoding: its bytes are unknown here
      content = target.getBytes(WorkTreeChanges.FILE_NAMES);
      mode = "120000";
    } else {
      throw new AskGit();
    }
    return new Entry(mode, objects.writeBlob(content));
  }

  /** The entry at {@code path} (bytes) in tree {@code tree}, or null. */
  private Entry find(String tree, String path) throws AskGit {
    String id = tree;
    int from = 0;
    while (true) {
      int slash = path.indexOf('/', from);
      Entry e = read(id).get(slash < 0 ? path.substring(from) : path.substring(from, slash));
      if (e == null || slash < 0) return e;
      if (!e.isTree()) return null;
      id = e.id;
      from = slash + 1;
    }
  }

  /**
   * Tree {@code id} (null: none yet) with {@code edits} (paths below {@code prefix}) made; adds
   * each path whose entry changed to {@code changed}; null when it ends up empty (git keeps no
   * empty tree).
   */
  private String apply(String id, String prefix, Map<String, Entry> edits, List<String> changed) throws AskGit {
    Map<String, Entry> entries = new TreeMap<>(id == null ? Map.of() : read(id));
    Map<String, Map<String, Entry>> below = new LinkedHashMap<>();
    boolean modified = false;
    for (Map.Entry<String, Entry> edit : edits.entrySet()) {
      String rest = edit.getKey();
      int slash = rest.indexOf('/');
      if (slash >= 0) {
        below.computeIfAbsent(rest.substring(0, slash), k -> new TreeMap<>()).put(rest.substring(slash + 1), edit.getValue());
        continue;
      }
      Entry before = entries.get(rest);
      Entry after = edit.getValue();
      if (java.util.Objects.equals(before, after)) continue;
      if (after == null) entries.remove(rest);
      else entries.put(rest, after);
      modified = true;
      changed.add(WorkTreeChanges.fromBytes(prefix + rest));
    }
    for (Map.Entry<String, Map<String, Entry>> sub : below.entrySet()) {
      Entry before = entries.get(sub.getKey());
      boolean onlyRemovals = sub.getValue().values().stream().allMatch(java.util.Objects::isNull);
      if (before != null && !before.isTree()) {
        if (onlyRemovals) continue; // nothing is below a file: nothing to remove
        throw new AskGit(); // a file became a directory
      }
      String subId = before == null ? null : before.id;
      if (subId == null && onlyRemovals) continue;
      String after = apply(subId, prefix + sub.getKey() + "/", sub.getValue(), changed);
      if (java.util.Objects.equals(after, subId)) continue;
      if (after == null) entries.remove(sub.getKey());
      else entries.put(sub.getKey(), new Entry(TREE, after));
      modified = true;
    }
    if (entries.isEmpty()) return null;
    return modified || id == null ? write(entries) : id;
  }

  /** Writes a tree in git's order: by name's bytes, a tree's name as if it ended in '/'. */
  private String write(Map<String, Entry> entries) {
    List<String> names = new ArrayList<>(entries.keySet());
    names.sort((a, b) -> sortKey(a, entries.get(a)).compareTo(sortKey(b, entries.get(b))));
    ByteArrayOutputStream out = new ByteArrayOutputStream(entries.size() * 40);
    for (String name : names) {
      Entry e = entries.get(name);
      out.writeBytes((e.mode + " " + name).getBytes(StandardCharsets.ISO_8859_1));
      out.write(0);
      out.writeBytes(HexFormat.of().parseHex(e.id));
    }
    String id = objects.writeTree(out.toByteArray());
    remember(id, Map.copyOf(entries));
    return id;
  }

  private static String sortKey(String name, Entry e) {
    return e.isTree() ? name + "/" : name;
  }

  /** Tree {@code id}'s entries by name (bytes as ISO-8859-1); what is not a loose tree here in git's canonical form throws. */
  private Map<String, Entry> read(String id) throws AskGit {
    synchronized (trees) {
      Map<String, Entry> known = trees.get(id);
      if (known != null) return known;
    }
    byte[] content = objects.readTree(id);
    Map<String, Entry> parsed = java.util.Collections.unmodifiableMap(content == null ? listedByGit(id) : parse(content));
    remember(id, parsed);
    return parsed;
  }

  private void remember(String id, Map<String, Entry> entries) {
    synchronized (trees) {
      Map<String, Entry> was = trees.put(id, entries);
      cachedEntries += entries.size() - (was == null ? 0 : was.size());
      var eldest = trees.entrySet().iterator();
      while (cachedEntries > CACHED_ENTRIES && trees.size() > 1) {
        cachedEntries -= eldest.next().getValue().size();
        eldest.remove();
      }
    }
  }

  /** A tree's entries from its content. */
  private static Map<String, Entry> parse(byte[] content) throws AskGit {
    Map<String, Entry> entries = new LinkedHashMap<>();
    int i = 0;
    while (i < content.length) {
      int space = i;
      while (space < content.length && content[space] != ' ') space++;
      int nul = space + 1;
      while (nul < content.length && content[nul] != 0) nul++;
      if (nul + 21 > content.length) throw new AskGit();
      String mode = new String(content, i, space - i, StandardCharsets.US_ASCII);
      if (!MODES.contains(mode)) throw new AskGit(); // git would write it differently from an index
      entries.put(new String(content, space + 1, nul - space - 1, StandardCharsets.ISO_8859_1),
          new Entry(mode, HexFormat.of().formatHex(content, nul + 1, nul + 21)));
      i = nul + 21;
    }
    return entries;
  }

  /**
   * A tree that is not a loose object here — one of the commit the run began at, in the user's
   * packs — as {@code git ls-tree} lists it: once per tree (the trees this class writes are loose,
   * and known), far cheaper than {@code git add} and {@code write-tree} reading the whole index.
   */
  private Map<String, Entry> listedByGit(String id) throws AskGit {
    Git.Result listed = Git.call(gitDir, Map.of("GIT_DIR", gitDir.toString()), null, "ls-tree", "-z", id);
    if (!listed.ok()) throw new AskGit();
    Map<String, Entry> entries = new LinkedHashMap<>();
    for (String line : listed.out().split("\0")) {
      if (line.isEmpty()) continue;
      int tab = line.indexOf('\t');
      String[] fields = tab < 0 ? new String[0] : line.substring(0, tab).split(" ");
      String name = line.substring(tab + 1);
      if (fields.length != 3 || name.indexOf('\uFFFD') >= 0) throw new AskGit(); // git's output is read as UTF-8: other bytes are not known here
      String mode = fields[0].startsWith("0") ? fields[0].substring(1) : fields[0];
      if (!MODES.contains(mode) || !fields[2].matches("[0-9a-f]{40}")) throw new AskGit();
      entries.put(new String(name.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1), new Entry(mode, fields[2]));
    }
    return entries;
  }
}
