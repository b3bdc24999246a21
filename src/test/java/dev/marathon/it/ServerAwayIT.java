package dev.marathon.it;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.finish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.runtime.MarathonHome;
import dev.marathon.testing.DevServerFixture;
import dev.marathon.testing.Eventually;
import dev.marathon.testing.Gate;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.Launcher;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A foreground {@code ./marathon run} whose server goes away for longer than the client's own
 * retries (a minute) finishes the run: it used to leave with an error, and its worker, which is in
 * the same process, with it, so the night's work stopped until someone resumed it. It waits for a
 * server someone else runs, and starts again the one it started itself.
 */
class ServerAwayIT {
  @TempDir static Path tmp;

  @Test
  void aForegroundRunWaitsOutItsServerAndFinishesTheRun() throws Exception {
    try (DevServerFixture server = new DevServerFixture(Files.createDirectories(tmp.resolve("server")), "--headless").start();
         Foreground run = new Foreground("away", server.address())) {
      run.gate.awaitReached(2);
      server.kill9();
      run.gate.open(2); // the answer reaches a worker that cannot report it: the call is made again later
      Eventually.get(() -> run.err().contains("[marathon] the Temporal server does not answer") ? true : null,
          Duration.ofSeconds(180), "the run saying its server is away");
      assertTrue(run.process.isAlive(), "the run left while its server was away:\n" + run.err());

      server.restart();
      run.assertFinishedWithEachStepOnce();
      assertTrue(!run.err().contains("starting it again"), "a server the run did not start was started by it:\n" + run.err());
    }
  }

  @Test
  void aForegroundRunStartsAgainTheServerItStarted() throws Exception {
    String address = "127.0.0.1:" + DevServerFixture.freePortWithUi();
    try (Foreground run = new Foreground("own", address)) {
      run.gate.awaitReached(2);
      assertTrue(run.err().contains("Started the Temporal dev server in the background"), run.err());
      long pid = new MarathonHome(run.home).recordedServerPid().orElseThrow();
      ProcessHandle server = ProcessHandle.of(pid).orElseThrow();
      server.descendants().forEach(ProcessHandle::destroyForcibly);
      server.destroyForcibly();
      server.onExit().get(30, TimeUnit.SECONDS);
      run.gate.open(2);

      run.assertFinishedWithEachStepOnce();
      assertTrue(run.err().contains("[marathon] the Temporal dev server this command started does not answer: starting it again"),
          run.err());
    } finally {
      // The server the run started again outlives the run (setsid): stopped as a user would, then made sure of.
      Launcher.run(tmp.resolve("home-own"), Map.of(), 60, "server", "--stop");
      new MarathonHome(tmp.resolve("home-own")).recordedServerPid().ifPresent(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }
  }

  /** {@code ./marathon run} of a three-turn task in its own process, held before turn 2's answer. */
  private static final class Foreground implements AutoCloseable {
    final Gate gate = new Gate((turn, req) -> switch (turn) {
      case 1 -> Reply.tools("one", bash("echo one >> log.txt"));
      case 2 -> Reply.tools("two", bash("echo two >> log.txt"));
      default -> Reply.tools("done", finish("Wrote log.txt."));
    }).close(2);
    final ScriptedModel model = new ScriptedModel(gate);
    final String id;
    final Path repo;
    final Path home;
    final Path out;
    final Path errFile;
    final Process process;

    Foreground(String id, String address) throws IOException {
      this.id = id;
      this.repo = GitRepos.create(tmp.resolve("repo-" + id), Map.of("README.md", "# away\n"));
      this.home = tmp.resolve("home-" + id);
      this.out = tmp.resolve("out-" + id + ".txt");
      this.errFile = tmp.resolve("err-" + id + ".txt");
      this.process = Launcher.builder(home, Map.of(), "run", "--repo", repo.toString(), "--id", id, "--task", "Write log.txt",
              "--base-url", model.baseUrl(), "--model", "scripted-1", "--provider", "kimi", "--api-key-env", "MARATHON_TEST_KEY",
              "--address", address)
          .redirectOutput(out.toFile()).redirectError(errFile.toFile()).start();
    }

    String err() {
      return read(errFile);
    }

    void assertFinishedWithEachStepOnce() throws InterruptedException {
      assertTrue(process.waitFor(420, TimeUnit.SECONDS), "the run did not finish after its server came back:\n" + err());
      assertEquals(0, process.exitValue(), err());
      assertTrue(err().contains("[marathon] the Temporal server answers again"), err());
      assertTrue(read(out).contains("Wrote log.txt."), read(out));
      assertEquals("one\ntwo\n", GitRepos.git(repo, "show", "marathon/" + id + ":log.txt") + "\n", "each step once");
    }

    @Override
    public void close() {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      model.close();
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
