package dev.marathon.activities.workspace;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * What changed in a work tree since it was last asked, from the kernel's change notifications
 * ({@link ChangeNotifications}), so that a snapshot after a shell command asks git about those
 * paths instead of every file of the tree: at 90,000 files a bash step's snapshot scanned for
 * ~250 ms what a command wrote to a handful of paths.
 *
 * <p>Every directory of the tree is watched but {@code .git} ones (git never snapshots them); a
 * directory that appears is watched with all it holds, and named as a whole, since what was
 * written into it before it was watched made no event. It vouches for what it reports only while
 * nothing was lost: an overflow (a directory with more events than the kernel or the JDK queue),
 * more than {@link #MAX_PATHS} paths, a watch refused (the user's limit of watches) or the root
 * removed make {@link #drain} answer null, and the caller then scans the whole tree, as it did
 * before, after {@link #restart}.
 *
 * <p>A directory moved keeps its watch (the kernel's watch is of the directory, not its name): it
 * is named anew when its new name is seen. A name that is not a string in the JDK's encoding of
 * file names cannot be named to git: the tree is scanned from then on.
 *
 * <p>What no notification reports: a file changed only through a shared memory map (no write,
 * truncate or chmod), and a file changed through another name (a hard link) that is not watched —
 * outside the tree (the sandbox mounts the workspace alone: no such link can be made) or in {@code
 * .git}. A file seen with more than one name gives up the notifications for the tree (its every
 * name could be written through); what escapes that (a second name made, written through and
 * removed before its event was read, or one in {@code .git}) is seen at the next whole-tree scan,
 * at most {@link SnapshotIndex#WHOLE_TREE_EVERY} shell steps later.
 */
final class WorkTreeChanges {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Workspace.class);
  /** More changed paths than this in one step: the whole tree is scanned instead (one git walk is then cheaper). */
  static final int MAX_PATHS = 20_000;
  private static final String BARRIER = "barrier-";

  private final Path root;
  private final Path barrierDir;
  private final String label;
  /** Watched directories of the tree, relative to its root ("" is the root). */
  private final NavigableMap<String, WatchKey> keys = new TreeMap<>();
  /** Which directory each watch is of now (a directory moved keeps its watch; it is named anew when seen). */
  private final Map<WatchKey, String> watched = new java.util.HashMap<>();
  /** Paths changed since the last drain. */
  private final java.util.Set<String> changed = new java.util.LinkedHashSet<>();
  private ChangeNotifications notifications;
  private WatchKey barrierKey;
  /** Directories are being watched. */
  private boolean watching;
  /** Nothing was lost since watching began or the last drain that said so. */
  private boolean intact;
  /** The kernel refused: this tree is scanned from now on. */
  private boolean disabled;
  private long barrierSent;
  private long barrierSeen;

  /** How file names are bytes on this machine (the JDK's own choice, from the locale it started in). */
  static final java.nio.charset.Charset FILE_NAMES = java.nio.charset.Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));

  /** A name as the bytes the file system has it, one char a byte (ISO-8859-1): how git compares and stores names. */
  static String asBytes(String name) {
    return new String(name.getBytes(FILE_NAMES), java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  /** The name a byte string ({@link #asBytes}) is. */
  static String fromBytes(String bytes) {
    return new String(bytes.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), FILE_NAMES);
  }

  /** What {@link #attributes} reads of a file: its type and how many names it has. */
  static final String ATTRIBUTES = "unix:mode,nlink";

  /** A file's {@link #ATTRIBUTES} (and any more asked for), its last name not followed if a link. */
  static Map<String, Object> attributes(Path file, String more) throws IOException {
    return Files.readAttributes(file, more.isEmpty() ? ATTRIBUTES : ATTRIBUTES + "," + more, LinkOption.NOFOLLOW_LINKS);
  }

  static boolean isDirectory(Map<String, Object> attributes) {
    return (((Integer) attributes.get("mode")) & 0170000) == 0040000;
  }

  /**
   * Whether a file has another name (a hard link): what is written through that name makes no
   * event for this one, so the tree it is in cannot be vouched for.
   */
  static boolean hasOtherNames(Map<String, Object> attributes) {
    return (((Integer) attributes.get("mode")) & 0170000) == 0100000 && ((Integer) attributes.get("nlink")) > 1;
  }

  /** Whether {@code path} is a file of ignore rules: what is ignored everywhere below it may change with it. */
  static boolean isIgnoreFile(String path) {
    return path.equals(".gitignore") || path.endsWith("/.gitignore");
  }

  /** What changed: paths relative to the root. */
  record Changes(java.util.Set<String> paths) {
    /** Whether an ignore file changed: what is ignored everywhere below it may have changed with it. */
    boolean ignoreRulesChanged() {
      return paths.stream().anyMatch(WorkTreeChanges::isIgnoreFile);
    }
  }

  WorkTreeChanges(Path root, Path barrierDir, String label) {
    this.root = root;
    this.barrierDir = barrierDir;
    this.label = label;
  }

  /**
   * Everything that changed since the last drain, or null when this cannot vouch for it (not
   * watching, or something was lost): the caller then calls {@link #restart} and scans the tree.
   * Waits until the notifications have caught up with now: a file it writes itself must come back.
   */
  Changes drain() {
    // Two barriers: a directory whose event came while its earlier events were being handed out is
    // queued again behind the first barrier, but before the second.
    boolean caughtUp = barrier() && barrier();
    synchronized (this) {
      Changes changes = caughtUp && watching && intact ? new Changes(java.util.Set.copyOf(changed)) : null;
      changed.clear(); // the next round starts either way
      return changes;
    }
  }

  /** Writes a barrier file and waits until its event came back; false when this cannot vouch for anything. */
  private boolean barrier() {
    long n;
    synchronized (this) {
      if (!watching || !intact || !notifications.running()) return false;
      n = ++barrierSent;
    }
    Path marker = barrierDir.resolve(BARRIER + n);
    try {
      Files.write(marker, new byte[0]);
      Files.delete(marker);
    } catch (IOException e) {
      lost(null);
      return false;
    }
    synchronized (this) {
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (barrierSeen < n && intact) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          intact = false;
          break;
        }
        try {
          wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          intact = false;
        }
      }
      return intact;
    }
  }

  /**
   * Watches the whole tree afresh; what changed before this returns is for the caller's scan of the
   * whole tree to see. Gives up for good (scans from then on) when the kernel refuses a watch.
   */
  void restart(Runnable heartbeat) {
    synchronized (this) {
      if (disabled) return;
      if (watching) stopWatching();
    }
    try {
      if (notifications == null) notifications = ChangeNotifications.shared();
      Files.createDirectories(barrierDir);
      synchronized (this) {
        barrierKey = notifications.watch(this, barrierDir);
        watching = true;
        intact = true;
      }
      watchTree("", heartbeat);
      synchronized (this) {
        changed.clear();
      }
    } catch (IOException | RuntimeException e) {
      disable(e.getMessage());
    }
  }

  /** Stops watching (the checkout is going away). */
  synchronized void stop() {
    if (watching) stopWatching();
  }

  private void stopWatching() {
    watching = false;
    intact = false;
    for (WatchKey k : keys.values()) notifications.cancel(k);
    keys.clear();
    watched.clear();
    if (barrierKey != null) notifications.cancel(barrierKey);
    barrierKey = null;
    changed.clear();
  }

  /** Watches {@code dir} and every directory below it, depth first; each before its entries are listed. */
  private void watchTree(String dir, Runnable heartbeat) throws IOException {
    java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(List.of(dir));
    int n = 0;
    while (!todo.isEmpty()) {
      String rel = todo.pop();
      Path abs = rel.isEmpty() ? root : root.resolve(rel);
      try {
        synchronized (this) {
          WatchKey key = notifications.watch(this, abs);
          if (!watching) { // stopped meanwhile: nothing of this tree is watched any more
            notifications.cancel(key);
            return;
          }
          String before = watched.put(key, rel);
          if (before != null && !before.equals(rel) && keys.get(before) == key) keys.remove(before); // moved here: one watch, named anew
          WatchKey old = keys.put(rel, key);
          if (old != null && old != key) cancel(old); // a directory of that name that was replaced
        }
        if (++n % 1000 == 0 && heartbeat != null) heartbeat.run();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(abs)) {
          for (Path e : entries) {
            String name = name(e.getFileName());
            if (!name.equals(".git") && Files.isDirectory(e, LinkOption.NOFOLLOW_LINKS)) todo.push(rel.isEmpty() ? name : rel + "/" + name);
          }
        }
      } catch (java.nio.file.NoSuchFileException | java.nio.file.NotDirectoryException gone) {
        // removed (or replaced by a file) meanwhile: its parent's event names it
      }
    }
  }

  /** A watched directory's events, from the notifications' thread. */
  void notice(WatchKey key, List<WatchEvent<?>> events) {
    try {
      for (WatchEvent<?> event : events) notice(key, event);
    } catch (Unrepresentable e) {
      disable(e.getMessage());
    }
  }

  private void notice(WatchKey key, WatchEvent<?> event) {
    if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
      lost(null);
      return;
    }
    String name = name((Path) event.context());
    String dir;
    synchronized (this) {
      if (key == barrierKey) {
        if (name.startsWith(BARRIER)) barrier(Long.parseLong(name.substring(BARRIER.length())));
        return;
      }
      dir = watched.get(key); // the directory's name now; null: a watch cancelled since this batch was taken
    }
    if (dir == null || name.equals(".git")) return; // the agent's repository: never part of a snapshot
    String path = dir.isEmpty() ? name : dir + "/" + name;
    Path abs = root.resolve(path);
    Map<String, Object> attributes;
    try {
      attributes = attributes(abs, "");
    } catch (IOException gone) {
      attributes = Map.of("mode", 0, "nlink", 1);
    }
    boolean isDir = isDirectory(attributes);
    if (event.kind() == StandardWatchEventKinds.ENTRY_MODIFY && isDir) return; // its entries report for themselves
    if (hasOtherNames(attributes)) {
      disable("a file with more than one name: " + path);
      return;
    }
    synchronized (this) {
      if (!watching || watched.get(key) == null) return;
      if (event.kind() != StandardWatchEventKinds.ENTRY_MODIFY) unwatchBelow(path); // removed, renamed or replaced
      if (intact) changed.add(path);
      if (changed.size() > MAX_PATHS) {
        intact = false;
        changed.clear();
      }
    }
    if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE && isDir) {
      try {
        // Not through a link the agent put in its place since: the JDK's watch follows links.
        if (!abs.toRealPath().equals(root.toRealPath().resolve(path))) throw new IOException(path + " is no longer in the tree");
        watchTree(path, null);
      } catch (IOException e) {
        lost(null);
      }
    }
  }

  /**
   * Something was lost (null), or the kernel ended the watch {@code key}: fine for a directory
   * that is gone (its parent's event named it), not for one still here.
   */
  synchronized void lost(WatchKey key) {
    if (key != null && key != barrierKey) {
      String dir = watched.get(key);
      if (dir == null) return; // cancelled, or replaced by a newer watch
      if (!dir.isEmpty() && !Files.isDirectory(root.resolve(dir), LinkOption.NOFOLLOW_LINKS)) {
        watched.remove(key);
        if (keys.get(dir) == key) keys.remove(dir);
        return;
      }
    }
    intact = false;
    notifyAll();
  }

  private synchronized void barrier(long n) {
    barrierSeen = Math.max(barrierSeen, n);
    notifyAll();
  }

  private void unwatchBelow(String path) {
    WatchKey at = keys.remove(path);
    if (at != null) cancel(at);
    NavigableMap<String, WatchKey> below = keys.subMap(path + "/", true, path + "0", false); // '0' follows '/'
    for (WatchKey k : below.values()) cancel(k);
    below.clear();
  }

  private void cancel(WatchKey key) {
    watched.remove(key);
    notifications.cancel(key);
  }

  /**
   * A file name as a string that gives back its very bytes. One that does not (bytes that are no
   * character in the JDK's encoding) could not be named to git: this tree is scanned from then on.
   */
  private String name(Path fileName) {
    String name = fileName.toString();
    if (!Path.of(name).equals(fileName)) throw new Unrepresentable(name);
    return name;
  }

  /** A file name no string gives back ({@link #name}). */
  private static final class Unrepresentable extends RuntimeException {
    Unrepresentable(String name) {
      super("a file name that is not " + FILE_NAMES + ": " + name);
    }
  }

  /** Gives up for good: this tree is scanned from now on. */
  void disable(String why) {
    synchronized (this) {
      if (disabled) return;
      disabled = true;
      if (watching) stopWatching();
      notifyAll();
    }
    LOG.info("workspace {}: change notifications unavailable ({}); each shell step scans the whole tree", label, why);
  }

  @Override
  public String toString() {
    return "workspace " + label;
  }
}
