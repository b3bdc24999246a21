package dev.marathon.workflows;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.finish;
import static dev.marathon.testing.ScriptedModel.newUserText;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.testing.Eventually;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.TestRuns;
import dev.marathon.testing.WorkflowHarness;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A reached budget pauses the run durably; raising it lets the run go on; "finish" gets a report. */
class BudgetTest {
  @TempDir Path tmp;

  /** Works forever, but reports as soon as it is told to wrap up or finish. */
  static final ScriptedModel.Script DILIGENT = (turn, req) -> {
    String news = newUserText(req);
    if (news.contains("asked you to finish")) return Reply.tools("reporting", finish("Report: stopped at turn " + turn));
    return Reply.tools("working " + turn, bash("echo work " + turn));
  };

  Progress awaitPause(AgentWorkflow run, Pause.Cause cause) {
    return Eventually.get(() -> {
      Progress p = run.progress();
      return p.pause() != null && p.pause().cause() == cause && p.phase().equals("paused") ? p : null;
    }, Duration.ofSeconds(60), "a " + cause + " pause");
  }

  RunState start(String id, Budget budget) throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo-" + id), Map.of("a.txt", "a\n"));
    return TestRuns.state(id, repo, TestRuns.model(model.baseUrl(), 200_000), "Work", RunOptions.DEFAULTS, budget);
  }

  ScriptedModel model;

  @Test
  void theTurnBudgetWarnsPausesAndGoesOnWhenRaisedThenFinishGetsAReport() throws Exception {
    try (ScriptedModel m = new ScriptedModel(DILIGENT); WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      model = m;
      AgentWorkflow run = h.start(start("turns-1", new Budget(5, null, null, null)));
      Progress paused = awaitPause(run, Pause.Cause.BUDGET);
      assertEquals(5, paused.turn());
      assertEquals("turn budget reached (5 of 5)", paused.pause().reason());
      assertTrue(m.requests().stream().anyMatch(s -> newUserText(s.body()).contains("close to its turns budget")),
          "the agent was told to wrap up before the limit");
      Thread.sleep(1_000);
      assertEquals(5, m.requests().size(), "a paused run asks the model nothing");

      assertEquals(8, run.budget(new Budget(8, null, null, null)).maxTurns());
      assertEquals(8, awaitPause(run, Pause.Cause.BUDGET).turn());

      run.finish();
      RunReport report = h.client.newUntypedWorkflowStub("turns-1").getResult(RunReport.class);
      assertEquals(RunOutcome.FINISHED, report.outcome());
      assertEquals("Report: stopped at turn 9", report.summary());
    }
  }

  @Test
  void tokenAndCostBudgetsPauseTooAndAnAgentThatDoesNotReportEndsIncomplete() throws Exception {
    ScriptedModel.Script stubborn = (turn, req) -> Reply.tools("working " + turn, bash("echo work " + turn));
    try (ScriptedModel m = new ScriptedModel(stubborn); WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      model = m;
      AgentWorkflow tokens = h.start(start("tokens-1", new Budget(null, null, 3_000L, null)));
      Progress p = awaitPause(tokens, Pause.Cause.BUDGET);
      assertTrue(p.pause().reason().startsWith("token budget reached"), p.pause().reason());
      assertTrue(p.usage().totalTokens() >= 3_000);

      AgentWorkflow cost = h.start(start("cost-1", new Budget(null, null, null, 0.002)));
      Progress c = awaitPause(cost, Pause.Cause.BUDGET);
      assertTrue(c.pause().reason().startsWith("cost budget reached ($0.00"), c.pause().reason());

      cost.finish(); // it never calls finish: the run ends after its grace turns
      RunReport report = h.client.newUntypedWorkflowStub("cost-1").getResult(RunReport.class);
      assertEquals(RunOutcome.INCOMPLETE, report.outcome());
      assertEquals(c.turn() + Stop.GRACE_TURNS, report.progress().turn());
      tokens.cancel(true);
      assertEquals(RunOutcome.CANCELLED, h.client.newUntypedWorkflowStub("tokens-1").getResult(RunReport.class).outcome());
    }
  }

  @Test
  void theTimeBudgetCountsWorkflowTimeAcrossAPauseWithTimeSkipping() throws Exception {
    try (ScriptedModel m = new ScriptedModel(DILIGENT); WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      model = m;
      AgentWorkflow run = h.start(start("hours-1", new Budget(null, 1.0, null, null)));
      Eventually.get(() -> run.progress().turn() >= 2 ? true : null);
      run.pause("lunch");
      awaitPause(run, Pause.Cause.OPERATOR);
      h.env.sleep(Duration.ofHours(2)); // skipped, not waited
      run.unpause();
      Progress p = awaitPause(run, Pause.Cause.BUDGET);
      assertTrue(p.pause().reason().startsWith("time budget reached (2.0"), p.pause().reason());
      int turn = p.turn();
      run.budget(new Budget(null, 5.0, null, null));
      Eventually.get(() -> run.progress().turn() >= turn + 2 ? true : null);
      run.finish();
      assertEquals(RunOutcome.FINISHED, h.client.newUntypedWorkflowStub("hours-1").getResult(RunReport.class).outcome());
    }
  }

  @Test
  void anAgentRepeatingItselfIsWarnedThenPausedAndUnpauseGivesItAnotherChance() throws Exception {
    ScriptedModel.Script looping = (turn, req) -> {
      if (turn > 9) return Reply.tools("better", finish("broke out of the loop"));
      return Reply.tools("again", bash("cat a.txt"));
    };
    try (ScriptedModel m = new ScriptedModel(looping); WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      model = m;
      AgentWorkflow run = h.start(start("stuck-1", Budget.UNLIMITED));
      Progress p = awaitPause(run, Pause.Cause.STUCK);
      assertEquals(StuckDetector.PAUSE_AFTER, p.turn());
      assertTrue(m.requests().stream().anyMatch(s -> newUserText(s.body()).contains("repeated the same action")), "warned first");
      run.unpause();
      RunReport report = h.client.newUntypedWorkflowStub("stuck-1").getResult(RunReport.class);
      assertEquals(RunOutcome.FINISHED, report.outcome());
    }
  }
}
