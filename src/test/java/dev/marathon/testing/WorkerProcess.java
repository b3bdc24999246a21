package dev.marathon.testing;

import java.io.IOException;
import java.nio.file.Path;
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
   * The machine dies: the worker and every command it started, at once. The worker is stopped
   * first (SIGSTOP) so it starts nothing new while its descendants are killed; then it is killed.
   * A test that then deletes the machine's disk must do this, not {@link #kill9}, or a git the
   * worker left running writes into the directory being deleted.
   */
  public void killMachine() throws InterruptedException, IOException {
    new ProcessBuilder("kill", "-STOP", Long.toString(process.pid())).inheritIO().start().waitFor();
    for (int round = 0; round < 50; round++) {
      java.util.List<ProcessHandle> left = process.descendants().toList();
      if (left.isEmpty()) break;
      left.forEach(ProcessHandle::destroyForcibly);
      for (ProcessHandle h : left) h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> h).join();
    }
    if (process.descendants().findAny().isPresent()) throw new AssertionError("the worker's commands did not die");
    kill9();
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
