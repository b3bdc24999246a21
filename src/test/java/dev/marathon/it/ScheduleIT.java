package dev.marathon.it;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.finish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.activities.Json;
import dev.marathon.runtime.Runs;
import dev.marathon.testing.DevServerFixture;
import dev.marathon.testing.Eventually;
import dev.marathon.testing.Gate;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.Launcher;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.WorkerProcess;
import dev.marathon.workflows.RunOutcome;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A nightly job with one command, on the real dev server: a schedule created by {@code ./marathon
 * schedule create}, seen by the Temporal CLI's own {@code temporal schedule list}, fired now, its run
 * (named after the schedule and the time) finished on its own branch by a worker; then paused and
 * deleted. Bad input is refused with a clear message.
 */
class ScheduleIT {
  @TempDir Path tmp;

  @Test
  void aScheduleFiresAnOrdinaryRunOnItsOwnBranchAndIsTemporalsOwnSchedule() throws Exception {
    Path home = tmp.resolve("home");
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "# nightly\n"));
    // The run's last turn is held until the test lets it go: a second firing meanwhile finds it still going.
    Gate script = new Gate((turn, req) -> turn == 1
        ? Reply.tools("upgrade", bash("echo upgraded >> deps.txt")) : Reply.tools("done", finish("Upgraded one dependency."))).close(2);
    try (DevServerFixture server = new DevServerFixture(Files.createDirectories(tmp.resolve("server")), "--headless").start();
        ScriptedModel model = new ScriptedModel(script);
        WorkerProcess worker = WorkerProcess.start(home, server.address(), tmp.resolve("worker.log"))) {
      String a = server.address();
      Launcher.Result created = Launcher.run(home, Map.of(), 120, "schedule", "create", "nightly-deps", "--cron", "0 1 * * 1-5",
          "--repo", repo.toString(), "--task", "Upgrade one dependency", "--base-url", model.baseUrl(), "--model", "scripted-1",
          "--provider", "kimi", "--api-key-env", "MARATHON_TEST_KEY", "--max-cost", "5", "--address", a);
      assertEquals(0, created.exit(), created.toString());

      String[] lastListing = {""};
      try {
        Eventually.get(() -> (lastListing[0] = temporalScheduleList(a)).contains("nightly-deps") ? true : null, Duration.ofMinutes(1),
            "Temporal's own CLI listing it");
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "; it last printed:\n" + lastListing[0], e);
      }

      Launcher.Result fired = Launcher.run(home, Map.of(), 120, "schedule", "trigger", "nightly-deps", "--address", a);
      assertEquals(0, fired.exit(), fired.toString());
      script.awaitReached(2);
      Launcher.Result again = Launcher.run(home, Map.of(), 120, "schedule", "trigger", "nightly-deps", "--address", a);
      assertEquals(0, again.exit(), again.toString());
      Eventually.get(() -> describe(home, a).contains("1 skipped while a run was going") ? true : null, Duration.ofMinutes(1),
          "the second firing skipped while the first run is going");
      script.open(2);
      String runId = Eventually.get(() -> {
        JsonNode runs = listed(home, a).get(0).path("recentRuns");
        return runs.size() == 1 ? runs.get(0).asText() : null;
      }, Duration.ofMinutes(2), "the firing's run listed");
      assertTrue(runId.matches("nightly-deps-\\d{8}-\\d{6}"), runId);
      try (var c = server.connect(home)) {
        Runs runs = new Runs(c.client());
        Eventually.get(() -> runs.describe(runId).getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED ? true : null,
            Duration.ofMinutes(3), "the scheduled run finishing");
        assertEquals(RunOutcome.FINISHED, runs.result(runId).outcome());
        assertTrue(runs.result(runId).progress().title().startsWith("Upgrade one dependency ("), runs.result(runId).progress().title());
      }
      assertEquals("upgraded", GitRepos.git(repo, "show", "marathon/" + runId + ":deps.txt"), "an ordinary run on its own branch");

      Launcher.Result paused = Launcher.run(home, Map.of(), 120, "schedule", "pause", "nightly-deps", "--address", a);
      assertEquals(0, paused.exit(), paused.toString());
      Launcher.Result described = Launcher.run(home, Map.of(), 120, "schedule", "describe", "nightly-deps", "--address", a);
      assertTrue(described.out().contains("when:     0 1 * * 1-5 (UTC)") && described.out().contains("state:    paused")
          && described.out().contains(runId) && described.out().contains("overlap:  skip"), described.toString());
      Launcher.Result deleted = Launcher.run(home, Map.of(), 120, "schedule", "delete", "nightly-deps", "--address", a);
      assertEquals(0, deleted.exit(), deleted.toString());
      Eventually.get(() -> listed(home, a).isEmpty() ? true : null, Duration.ofMinutes(1), "the schedule gone");

      String r0 = repo.toString();
      Object[][] bad = {
          {new String[] {"schedule", "create", "x", "--cron", "not a cron", "--repo", r0, "--task", "t", "--address", a}, "refused schedule x"},
          {new String[] {"schedule", "create", "Bad Name", "--cron", "0 1 * * *", "--repo", r0, "--task", "t", "--address", a}, "schedule name"},
          {new String[] {"schedule", "create", "x", "--cron", "0 1 * * *", "--task", "t", "--address", a}, "--repo"},
          {new String[] {"schedule", "create", "x", "--cron", "0 1 * * *", "--repo", r0, "--task", "t", "--id", "y", "--address", a},
              "a schedule's runs are named"},
          {new String[] {"schedule", "create", "x", "--cron", "0 1 * * *", "--overlap", "sometimes", "--repo", r0, "--task", "t", "--address", a},
              "--overlap"},
          {new String[] {"schedule", "create", "--title", "t", "x", "--cron", "0 1 * * *", "--repo", r0, "--task", "t", "--address", a}, "NAME"},
          {new String[] {"schedule", "trigger", "no-such-schedule", "--address", a}, "no schedule no-such-schedule"},
      };
      for (Object[] c : bad) {
        Launcher.Result r = Launcher.run(home, Map.of("MARATHON_BASE_URL", model.baseUrl(), "MARATHON_MODEL", "m"), 120, (String[]) c[0]);
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains((String) c[1]), "expected '" + c[1] + "' in " + r);
        assertTrue(!r.err().contains("\tat "), "no stack trace: " + r);
      }
      assertTrue(listed(home, a).isEmpty(), "no bad input made a schedule");
    }
  }

  static JsonNode listed(Path home, String address) {
    try {
      Launcher.Result r = Launcher.run(home, Map.of(), 120, "schedule", "list", "--json", "--address", address);
      if (r.exit() != 0) throw new AssertionError(r.toString());
      return Json.MAPPER.readTree(r.out());
    } catch (java.io.IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  static String describe(Path home, String address) {
    try {
      return Launcher.run(home, Map.of(), 120, "schedule", "describe", "nightly-deps", "--address", address).out();
    } catch (java.io.IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  static String temporalScheduleList(String address) {
    try {
      Process temporal = new ProcessBuilder(DevServerFixture.binary().toString(), "schedule", "list", "--address", address)
          .redirectErrorStream(true).start();
      String out = new String(temporal.getInputStream().readAllBytes());
      if (!temporal.waitFor(60, TimeUnit.SECONDS) || temporal.exitValue() != 0) throw new AssertionError(out);
      return out;
    } catch (java.io.IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
