package dev.marathon.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.testing.DevServerFixture;
import dev.marathon.testing.Eventually;
import dev.marathon.testing.Launcher;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./marathon server} in the foreground: the Temporal server it starts goes when it goes, not
 * only on Ctrl-C (the terminal signals both) but when it alone is terminated (a shutdown hook stops
 * the server) or killed (the server was started to die with its parent: setpriv's parent-death
 * signal).
 */
class ServerCommandIT {
  @TempDir Path tmp;

  /** A running {@code ./marathon server} (the launcher execs the JVM: this is its process) and the processes it started. */
  record Started(Process marathon, List<ProcessHandle> children, Path log) {}

  Started start(String name) throws Exception {
    int port = DevServerFixture.freePortWithUi();
    Path log = tmp.resolve(name + ".log");
    Process marathon = Launcher.builder(tmp.resolve("home-" + name), Map.of(), "server", "--headless", "--port", Integer.toString(port),
            "--ui-port", Integer.toString(port + 1000), "--db", tmp.resolve(name + ".db").toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    Eventually.get(() -> {
      if (!marathon.isAlive()) throw new AssertionError("./marathon server exited: " + read(log));
      WorkflowServiceStubs s = WorkflowServiceStubs.newConnectedServiceStubs(
          WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + port).build(), Duration.ofSeconds(1));
      s.shutdownNow();
      return true;
    }, Duration.ofSeconds(120), "the server answering on " + port);
    List<ProcessHandle> children = marathon.descendants().toList();
    assertTrue(children.stream().anyMatch(c -> cmdline(c).contains("start-dev")), "the Temporal server is among " + children.size()
        + " processes started: " + children.stream().map(ServerCommandIT::cmdline).toList());
    return new Started(marathon, children, log);
  }

  @Test
  void terminatingItStopsTheServerItStarted() throws Exception {
    Started s = start("term");
    try {
      s.marathon().destroy(); // SIGTERM, as systemd, docker stop or kill send it: no terminal signals the server too
      assertTrue(s.marathon().waitFor(60, TimeUnit.SECONDS), "./marathon server did not end on SIGTERM: " + read(s.log()));
      assertAllGone(s, "after SIGTERM");
    } finally {
      s.children().forEach(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void killingItKillsTheServerItStarted() throws Exception {
    Started s = start("kill");
    try {
      s.marathon().destroyForcibly(); // SIGKILL: no shutdown hook runs; the kernel sends the parent-death signal
      assertTrue(s.marathon().waitFor(30, TimeUnit.SECONDS));
      assertAllGone(s, "after SIGKILL");
    } finally {
      s.children().forEach(ProcessHandle::destroyForcibly);
    }
  }

  static void assertAllGone(Started s, String when) {
    Eventually.get(() -> s.children().stream().noneMatch(ProcessHandle::isAlive) ? true : null, Duration.ofSeconds(30),
        "the server gone " + when);
    assertFalse(s.children().stream().anyMatch(ProcessHandle::isAlive), "orphaned " + when);
  }

  static String cmdline(ProcessHandle p) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
    } catch (IOException gone) {
      return "";
    }
  }

  static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return "";
    }
  }
}
