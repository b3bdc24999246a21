package dev.marathon.testing;

import dev.marathon.runtime.DevServer;
import dev.marathon.runtime.MarathonHome;
import dev.marathon.runtime.TemporalCli;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real Temporal dev server (the Temporal CLI), on free ports with its own SQLite file, for
 * integration and crash tests. Fails loudly when the CLI is not installed: these tests never skip.
 */
public final class DevServerFixture implements AutoCloseable {
  private final Path db;
  private final Path log;
  private int port;
  private int httpPort;
  private int uiPort;
  private boolean started;
  private final List<String> extra;
  private Process process;

  public DevServerFixture(Path dir, String... extraArgs) throws IOException {
    this.db = dir.resolve("temporal.db");
    this.log = dir.resolve("temporal-server.log");
    this.port = freePortWithUi();
    this.uiPort = port + 1000;
    this.httpPort = freePort();
    this.extra = List.of(extraArgs);
  }

  public static Path binary() {
    return TemporalCli.find(MarathonHome.fromEnvironment()).orElseThrow(() -> new AssertionError(
        "the Temporal CLI is not installed: run scripts/install-temporal-cli (the test command does)"));
  }

  public DevServerFixture start() throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        startOnce();
        started = true;
        return this;
      } catch (ExitedAtStart e) {
        // Another test's server, dying a moment ago, may still hold one of the ports the dev server
        // picks for itself: a first start tries fresh ports (a restart must keep its address).
        if (started || attempt == 3) throw new AssertionError(e.getMessage());
        port = freePortWithUi();
        uiPort = port + 1000;
        httpPort = freePort();
      }
    }
  }

  private static final class ExitedAtStart extends RuntimeException {
    ExitedAtStart(String message) {
      super(message);
    }
  }

  private void startOnce() throws IOException {
    DevServer server = new DevServer(binary(), db, "127.0.0.1", port, uiPort, httpPort, extra);
    List<String> cmd = new ArrayList<>(server.command());
    process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      try {
        WorkflowServiceStubs s = WorkflowServiceStubs.newConnectedServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(address()).build(), Duration.ofSeconds(1));
        s.shutdownNow();
        return;
      } catch (RuntimeException notYet) {
        if (!process.isAlive()) throw new ExitedAtStart("the dev server exited; see " + log + ":\n" + tail(log));
        sleep(200);
      }
    }
    throw new AssertionError("the dev server did not answer within 60 s; see " + log);
  }

  /** Starts the server again on the same database and ports (after {@link #kill9}). */
  public DevServerFixture restart() throws IOException {
    if (process != null && process.isAlive()) throw new IllegalStateException("still running");
    return start();
  }

  /** SIGKILL: the server gets no chance to flush or say goodbye. */
  public void kill9() throws InterruptedException {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** A client connection for tests, with Marathon's data converter; its warnings are dropped. */
  public dev.marathon.runtime.Connection connect(Path home) {
    return dev.marathon.runtime.Connection.open(address(), "default", false, new dev.marathon.runtime.MarathonHome(home),
        new java.io.PrintWriter(new java.io.StringWriter()));
  }

  public String address() {
    return "127.0.0.1:" + port;
  }

  /** The server's HTTP API port; a CLI uses it once {@code ServerHttpApi.record} has written it into the CLI's home. */
  public int httpPort() {
    return httpPort;
  }

  public int port() {
    return port;
  }

  public String uiUrl() {
    return "http://localhost:" + uiPort;
  }

  public Path log() {
    return log;
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) kill9();
    }
  }

  /** A free port whose + 1000 is free too: the UI goes there, as the CLI derives UI links that way. */
  public static int freePortWithUi() throws IOException {
    int p = freePort();
    while (p > 64_000 || !isFree(p + 1000)) p = freePort();
    return p;
  }

  public static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket(port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  private static String tail(Path file) {
    try {
      List<String> lines = java.nio.file.Files.readAllLines(file);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
