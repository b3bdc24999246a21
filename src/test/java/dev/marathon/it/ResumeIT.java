package dev.marathon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.runtime.Connection;
import dev.marathon.runtime.RunInspector;
import dev.marathon.runtime.Runs;
import dev.marathon.testing.CrashScript;
import dev.marathon.testing.DevServerFixture;
import dev.marathon.testing.Eventually;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.Launcher;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.TestRuns;
import dev.marathon.testing.WorkerProcess;
import dev.marathon.workflows.Budget;
import dev.marathon.workflows.RunOptions;
import dev.marathon.workflows.RunState;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an operator types after an outage: ./marathon resume, and --from-checkpoint for a closed run. */
class ResumeIT {
  static final RunOptions OPTIONS = new RunOptions(600, 3600, 5, 4000, 80);
  @TempDir static Path tmp;
  static DevServerFixture server;
  static Path home;

  @BeforeAll
  static void start() throws Exception {
    server = new DevServerFixture(Files.createDirectories(tmp.resolve("server")), "--headless").start();
    home = Files.createDirectories(tmp.resolve("home"));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static Connection connect() {
    return server.connect(home);
  }

  static Path repo(String name) throws Exception {
    return GitRepos.create(tmp.resolve(name), Map.of("README.md", "# resume\n", "counter.txt", ""));
  }

  @Test
  void resumeHostsAWorkerAndFollowsAnInterruptedRunToItsEnd() throws Exception {
    CrashScript script = new CrashScript(12, Set.of(), Set.of(), Set.of());
    try (ScriptedModel model = new ScriptedModel(script); Connection c = connect()) {
      new Runs(c.client()).start(TestRuns.state("resume-1", repo("repo-1"), TestRuns.model(model.baseUrl(), 200_000), "Resume me", OPTIONS, Budget.UNLIMITED));
      try (WorkerProcess worker = WorkerProcess.start(home, server.address(), tmp.resolve("w1.log"))) {
        Eventually.get(() -> model.arrivals().contains(6) ? true : null, Duration.ofSeconds(120), "turn 6");
        worker.kill9();
      }
      Launcher.Result r = Launcher.run(home, Map.of(), 300, "resume", "resume-1", "--address", server.address());
      assertEquals(0, r.exit(), r.toString());
      assertTrue(r.out().contains("all 12 turns done"), r.toString());
      assertTrue(r.err().contains("earlier steps not shown") || r.err().contains("[turn"), r.toString());
      assertTrue(model.violations().isEmpty(), model.violations().toString());
    }
  }

  @Test
  void aTerminatedRunContinuesFromItsLastCheckpointNotFromZero() throws Exception {
    CrashScript script = new CrashScript(16, Set.of(), Set.of(), Set.of());
    Path repo = repo("repo-2");
    try (ScriptedModel model = new ScriptedModel(script); Connection c = connect()) {
      Runs runs = new Runs(c.client());
      runs.start(TestRuns.state("resume-2", repo, TestRuns.model(model.baseUrl(), 200_000), "Be terminated", OPTIONS, Budget.UNLIMITED));
      String firstRun;
      try (WorkerProcess worker = WorkerProcess.start(home, server.address(), tmp.resolve("w2.log"))) {
        Eventually.get(() -> model.arrivals().contains(9) ? true : null, Duration.ofSeconds(120), "turn 9");
        firstRun = runs.describe("resume-2").getExecution().getRunId();
        runs.stub("resume-2").terminate("operator gave up on it");
        worker.kill9();
      }
      assertEquals(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED, runs.describe("resume-2").getStatus());
      Launcher.Result refused = Launcher.run(home, Map.of(), 120, "resume", "resume-2", "--address", server.address());
      assertEquals(1, refused.exit(), refused.toString());
      assertTrue(refused.err().contains("--from-checkpoint"), refused.toString());

      int askedBefore = model.requests().size();
      Launcher.Result r = Launcher.run(home, Map.of(), 300, "resume", "resume-2", "--from-checkpoint", "--address", server.address());
      assertEquals(0, r.exit(), r.toString());
      assertTrue(r.err().contains("resumed resume-2 from its checkpoint as a new run"), r.toString());
      assertTrue(model.violations().isEmpty(), model.violations().toString());
      int firstTurnAfter = model.requests().get(askedBefore).turn();
      assertTrue(firstTurnAfter >= 8, "picked up mid-plan at turn " + firstTurnAfter + ", not from zero");
      assertEquals(2, runs.result("resume-2").progress().plan().size(), "the plan came along");
      assertTrue(!runs.describe("resume-2").getExecution().getRunId().equals(firstRun), "a new run");
      assertTrue(GitRepos.git(repo, "show", "marathon/resume-2:counter.txt").contains("step-13"));
    }
  }

  @Test
  void aFailedRunContinuesFromItsCheckpointOnceTheCauseIsFixed() throws Exception {
    CrashScript script = new CrashScript(6, Set.of(), Set.of(), Set.of());
    Path repo = repo("repo-3");
    Path away = tmp.resolve("repo-3-away");
    try (ScriptedModel model = new ScriptedModel(script); Connection c = connect()) {
      Runs runs = new Runs(c.client());
      runs.start(TestRuns.state("resume-3", repo, TestRuns.model(model.baseUrl(), 200_000), "Lose the repo", OPTIONS, Budget.UNLIMITED));
      Files.move(repo, away); // the repository vanishes before the run begins: it fails, clearly
      try (WorkerProcess worker = WorkerProcess.start(home, server.address(), tmp.resolve("w3.log"))) {
        Eventually.get(() -> runs.describe("resume-3").getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED ? true : null,
            Duration.ofSeconds(120), "the run failing");
      }
      Launcher.Result status = Launcher.run(home, Map.of(), 120, "resume", "resume-3", "--address", server.address());
      assertEquals(1, status.exit(), status.toString());
      Files.move(away, repo); // the operator puts it back
      Launcher.Result r = Launcher.run(home, Map.of(), 300, "resume", "resume-3", "--from-checkpoint", "--address", server.address());
      assertEquals(0, r.exit(), r.toString());
      assertTrue(r.out().contains("all 6 turns done"), r.toString());
    }
  }
}
