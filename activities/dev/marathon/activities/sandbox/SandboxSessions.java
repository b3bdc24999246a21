package dev.marathon.activities.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The kept sandboxes of this worker ({@link SandboxSession}), one per sandbox a run's commands
 * get: the same command line, environment and directories. A session is taken for one command and
 * given back after it, so no two commands ever share one at once. One whose directories were made
 * anew since it started (a workspace restored by a fresh checkout, a new egress proxy) is not the
 * same sandbox and is not reused: its mounts would show the old ones. Idle sessions end after
 * {@link #IDLE_MINUTES} minutes, and at most {@link #MAX_IDLE} are kept.
 */
public final class SandboxSessions {
  static final int IDLE_MINUTES = 5;
  static final int MAX_IDLE = 16;

  private final Map<Object, SandboxSession> idle = new LinkedHashMap<>();
  private ScheduledExecutorService thread;
  private final AtomicInteger started = new AtomicInteger();

  /** What makes two sandboxes the same: the command line, the environment, and which directories (not only their names) it mounts. */
  private record Key(List<String> command, Map<String, String> environment, List<Object> directories) {}

  /**
   * An idle session for the sandbox {@code sandbox} gives a command with these arguments (as
   * {@link CommandSandbox#process}), or a new one; null when none can be had (the command then runs
   * in a process of its own).
   */
  public SandboxSession take(CommandSandbox sandbox, Path workspace, Path home, List<Path> readable, Map<String, String> env, Network network,
      CommandLimits limits, Runnable heartbeat) {
    ProcessBuilder loop = sandbox.process(SandboxSession.LOOP, workspace, home, readable, env, network);
    // The directories that could be made anew under the same name: then the kept sandbox's mounts show the old ones.
    List<Path> mounted = new ArrayList<>(List.of(workspace, home));
    if (network.egressSocket() != null) mounted.add(network.egressSocket());
    Key key = new Key(List.copyOf(loop.command()), Map.copyOf(loop.environment()), identities(mounted));
    SandboxSession kept;
    synchronized (this) {
      kept = idle.remove(key);
    }
    if (kept != null && kept.readyForNext()) return kept;
    if (kept != null) kept.close();
    SandboxSession fresh = SandboxSession.start(key, loop, limits, starter(), heartbeat);
    if (fresh != null) started.incrementAndGet();
    return fresh;
  }

  /** After a command: kept for the next when it has not ended (the next {@link #take} looks at it closely), else ended. */
  public void giveBack(SandboxSession session) {
    if (!session.alive()) {
      session.close();
      return;
    }
    List<SandboxSession> ended = new ArrayList<>();
    synchronized (this) {
      SandboxSession before = idle.put(session.key(), session);
      if (before != null && before != session) ended.add(before);
      var oldest = idle.values().iterator();
      while (idle.size() > MAX_IDLE) {
        ended.add(oldest.next());
        oldest.remove();
      }
    }
    ended.forEach(SandboxSession::close);
  }

  /** Ends every idle session (a worker shutting down, a test). */
  public void closeAll() {
    List<SandboxSession> all;
    synchronized (this) {
      all = new ArrayList<>(idle.values());
      idle.clear();
    }
    all.forEach(SandboxSession::close);
  }

  /** How many sessions this worker has started. */
  public int started() {
    return started.get();
  }

  /** How many sessions are kept idle now. */
  public synchronized int idleCount() {
    return idle.size();
  }

  private void closeIdle() {
    List<SandboxSession> ended = new ArrayList<>();
    synchronized (this) {
      var it = idle.values().iterator();
      while (it.hasNext()) {
        SandboxSession s = it.next();
        if (s.idleNanos() > TimeUnit.MINUTES.toNanos(IDLE_MINUTES) || !s.healthy()) {
          ended.add(s);
          it.remove();
        }
      }
    }
    ended.forEach(SandboxSession::close);
  }

  /** The one thread that starts every session and lives as long as the worker (see {@link SandboxSession#start}). */
  private synchronized ScheduledExecutorService starter() {
    if (thread == null) {
      thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "marathon-sandbox-sessions");
        t.setDaemon(true);
        return t;
      });
      thread.scheduleWithFixedDelay(this::closeIdle, 1, 1, TimeUnit.MINUTES);
      // Their processes end with this one anyway (--die-with-parent); this also removes their cgroups.
      try {
        Runtime.getRuntime().addShutdownHook(new Thread(this::closeAll, "marathon-sandbox-sessions-close"));
      } catch (IllegalStateException shuttingDown) {
        // already on the way out: the sessions end with this process
      }
    }
    return thread;
  }

  private static List<Object> identities(List<Path> dirs) {
    List<Object> ids = new ArrayList<>();
    for (Path d : dirs) {
      try {
        ids.add(d == null ? "none" : Files.readAttributes(d, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey());
      } catch (IOException missing) {
        ids.add("missing:" + d);
      }
    }
    return ids;
  }
}
