package dev.marathon.activities.workspace;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.util.LinkedHashMap;
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
 * <p>What no notification reports: a file changed only through a shared memory map (no write,
 * truncate or chmod), and a file changed through a hard link from outside the tree. The sandbox
 * makes the second impossible (the workspace is a mount of its own); the first is seen at the next
 * whole-tree scan (a worker's first step of the run, the setup command, an ignore file changed, an
 * overflow).
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
  /** Paths changed since the last drain, each with whether its first event was its creation. */
  private final Map<String, Boolean> changed = new LinkedHashMap<>();
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

  /** What changed: paths relative to the root, and which of them did not exist when the last drain was made. */
  record Changes(Map<String, Boolean> paths) {
    /** Whether a path was created after the last drain (so if it is gone now, git never knew it). */
    boolean createdSince(String path) {
      return Boolean.TRUE.equals(paths.get(path));
    }

    /** Whether an ignore file changed: what is ignored everywhere below it may have changed with it. */
    boolean ignoreRulesChanged() {
      return paths.keySet().stream().anyMatch(p -> p.equals(".gitignore") || p.endsWith("/.gitignore"));
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
    long n;
    synchronized (this) {
      if (!watching || !intact) {
        changed.clear();
        return null;
      }
      n = ++barrierSent;
    }
    Path marker = barrierDir.resolve(BARRIER + n);
    try {
      Files.write(marker, new byte[0]);
      Files.delete(marker);
    } catch (IOException e) {
      lost(null, null);
      return null;
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
      Changes changes = intact ? new Changes(Map.copyOf(changed)) : null;
      changed.clear();
      return changes;
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
        barrierKey = notifications.watch(this, barrierDir, null);
        watching = true;
        intact = true;
      }
      watchTree("", heartbeat);
      synchronized (this) {
        changed.clear();
      }
    } catch (IOException | RuntimeException e) {
      synchronized (this) {
        disabled = true;
        stopWatching();
      }
      LOG.info("workspace {}: change notifications unavailable ({}); each shell step scans the whole tree", label, e.getMessage());
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
      synchronized (this) {
        WatchKey key = notifications.watch(this, abs, rel);
        WatchKey old = keys.put(rel, key);
        if (old != null && old != key) notifications.cancel(old); // a directory of that name that was replaced
      }
      if (++n % 1000 == 0 && heartbeat != null) heartbeat.run();
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(abs)) {
        for (Path e : entries) {
          String name = e.getFileName().toString();
          if (!name.equals(".git") && Files.isDirectory(e, LinkOption.NOFOLLOW_LINKS)) todo.push(rel.isEmpty() ? name : rel + "/" + name);
        }
      } catch (java.nio.file.NoSuchFileException | java.nio.file.NotDirectoryException gone) {
        // removed meanwhile: its parent's event names it
      }
    }
  }

  /** A watched directory's events, from the notifications' thread. */
  void notice(String dir, List<WatchEvent<?>> events) {
    for (WatchEvent<?> event : events) {
      if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
        lost(null, null);
        continue;
      }
      String name = event.context().toString();
      if (dir == null) {
        if (name.startsWith(BARRIER)) barrier(Long.parseLong(name.substring(BARRIER.length())));
        continue;
      }
      if (name.equals(".git")) continue; // the agent's repository: never part of a snapshot
      String path = dir.isEmpty() ? name : dir + "/" + name;
      Path abs = root.resolve(path);
      boolean isDir = Files.isDirectory(abs, LinkOption.NOFOLLOW_LINKS);
      if (event.kind() == StandardWatchEventKinds.ENTRY_MODIFY && isDir) continue; // its entries report for themselves
      synchronized (this) {
        if (!watching) return;
        if (event.kind() != StandardWatchEventKinds.ENTRY_MODIFY) unwatchBelow(path); // removed, renamed or replaced
        if (intact) changed.putIfAbsent(path, event.kind() == StandardWatchEventKinds.ENTRY_CREATE);
        if (changed.size() > MAX_PATHS) {
          intact = false;
          changed.clear();
        }
      }
      if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE && isDir) {
        try {
          watchTree(path, null);
        } catch (IOException e) {
          lost(null, null);
        }
      }
    }
  }

  /**
   * Something was lost (null), or the kernel ended the watch {@code key} of {@code dir}: fine for a
   * directory that is gone (its parent's event named it) or watched anew, not for one still here.
   */
  synchronized void lost(String dir, WatchKey key) {
    if (dir != null && keys.get(dir) != key) return; // replaced by a newer watch
    if (dir != null && !dir.isEmpty() && !Files.isDirectory(root.resolve(dir), LinkOption.NOFOLLOW_LINKS)) {
      keys.remove(dir);
      return;
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
    if (at != null) notifications.cancel(at);
    NavigableMap<String, WatchKey> below = keys.subMap(path + "/", true, path + "0", false); // '0' follows '/'
    for (WatchKey k : below.values()) notifications.cancel(k);
    below.clear();
  }

  @Override
  public String toString() {
    return "workspace " + label;
  }
}
