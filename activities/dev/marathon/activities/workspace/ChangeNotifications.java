package dev.marathon.activities.workspace;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The kernel's change notifications (inotify, through the JDK's {@link WatchService}) for every
 * work tree this process watches ({@link WorkTreeChanges}): one notification instance and one
 * thread for all of them, because a user may have only 128 instances on a machine and a swarm
 * has 300 workspaces. The thread hands each directory's events to the tree that watches it.
 */
final class ChangeNotifications {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Workspace.class);
  private static ChangeNotifications shared;

  private final WatchService service;
  /** Which tree watches a directory (the tree knows which of its directories that is now). */
  private final Map<WatchKey, WorkTreeChanges> owners = new ConcurrentHashMap<>();

  private final Thread thread;

  private ChangeNotifications(WatchService service) {
    this.service = service;
    this.thread = new Thread(this::dispatch, "marathon-change-notifications");
    thread.setDaemon(true);
    thread.start();
  }

  /** Whether events are still being handed out (if the thread ended, no tree can vouch for anything). */
  boolean running() {
    return thread.isAlive();
  }

  /** This process's notifications, started on first use; an IOException where the kernel offers none. */
  static synchronized ChangeNotifications shared() throws IOException {
    if (shared == null) shared = new ChangeNotifications(FileSystems.getDefault().newWatchService());
    return shared;
  }

  /**
   * Watches {@code dir} (its entries, not its subdirectories) for {@code tree}. Refused when
   * another tree of this process watches it already: one directory has one key.
   */
  WatchKey watch(WorkTreeChanges tree, Path dir) throws IOException {
    WatchKey key = dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
        StandardWatchEventKinds.ENTRY_MODIFY);
    WorkTreeChanges before = owners.putIfAbsent(key, tree);
    if (before != null && before != tree) throw new IOException(dir + " is watched for another workspace already");
    return key;
  }

  /** Stops watching a directory. */
  void cancel(WatchKey key) {
    owners.remove(key);
    key.cancel();
  }

  private void dispatch() {
    while (true) {
      try {
        WatchKey key = service.take();
        List<WatchEvent<?>> events = key.pollEvents();
        boolean valid = key.reset();
        WorkTreeChanges tree = owners.get(key);
        if (tree == null) continue; // cancelled meanwhile
        try {
          tree.notice(key, events);
          if (!valid) {
            owners.remove(key);
            tree.lost(key);
          }
        } catch (RuntimeException | StackOverflowError e) {
          // One tree's trouble must not end every tree's notifications; that tree no longer vouches for what changed.
          LOG.warn("change notifications of {}: {}", tree, e.toString());
          tree.lost(null);
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }
}
