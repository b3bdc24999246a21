package dev.marathon.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code ./marathon worker} as a real process that a test can kill -9. */
public final class WorkerProcess implements AutoCloseable {
  private final Process process;
  private final Path log;

  private WorkerProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  public static WorkerProcess start(Path home, String address, Path log) throws IOException {
    return start(home, Map.of(), address, log);
  }

  /** With {@code env} added, e.g. {@code MARATHON_STORE} for a worker on the shared store. */
  public static WorkerProcess start(Path home, Map<String, String> env, String address, Path log) throws IOException {
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("MARATHON_LOG_LEVEL", "INFO");
    ProcessBuilder pb = Launcher.builder(home, all, "worker", "--address", address)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    return new WorkerProcess(pb.start(), log);
  }

  /** SIGKILL: no shutdown hooks, no goodbyes; commands it started are left running. */
  public void kill9() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError("worker did not die");
  }

  /**
   * The machine dies: the worker and every command it started, at once. The worker and its
   * descendants are stopped (SIGSTOP, until no new one appears), so none starts another, then all
   * are killed. A test that then deletes the machine's disk must do this, not {@link #kill9}, or a
   * git the worker left running writes into the directory being deleted.
   */
  public void killMachine() throws InterruptedException, IOException {
    stop(List.of(process.pid()));
    java.util.Set<Long> frozen = new java.util.LinkedHashSet<>();
    for (List<Long> found = List.of(0L); !found.isEmpty(); ) {
      found = process.descendants().map(ProcessHandle::pid).filter(frozen::add).toList();
      stop(found);
    }
    process.destroyForcibly();
    for (long pid : frozen) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (long pid : frozen) {
      while (running(pid)) {
        if (System.nanoTime() > deadline) throw new AssertionError("process " + pid + " of the worker did not die");
        Thread.sleep(20);
      }
    }
    if (!process.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError("worker did not die");
  }

  private static void stop(List<Long> pids) throws IOException, InterruptedException {
    if (pids.isEmpty()) return;
    List<String> command = new java.util.ArrayList<>(List.of("kill", "-STOP"));
    for (long pid : pids) command.add(Long.toString(pid));
    new ProcessBuilder(command).redirectErrorStream(true).start().waitFor(); // one that has ended meanwhile is no matter
  }

  /** Alive and not a zombie (a zombie has closed its files; its parent, killed too, no longer reaps it). */
  private static boolean running(long pid) {
    try {
      String stat = java.nio.file.Files.readString(Path.of("/proc/" + pid + "/stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (IOException gone) {
      return false;
    }
  }

  public boolean alive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  public Path log() {
    return log;
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) kill9();
    }
  }
}
