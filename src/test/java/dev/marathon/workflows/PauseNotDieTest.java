package dev.marathon.workflows;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.finish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.testing.Eventually;
import dev.marathon.testing.Gate;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.TestRuns;
import dev.marathon.testing.WorkflowHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failures an operator can fix pause the run; fixing them and unpausing loses nothing. */
class PauseNotDieTest {
  @TempDir Path tmp;

  @Test
  void aModelThatStaysDownPastEveryRetryPausesTheRun() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));
    AtomicBoolean down = new AtomicBoolean(true);
    try (ScriptedModel model = new ScriptedModel((turn, req) -> down.get()
            ? Reply.error(503, "{\"error\":{\"message\":\"upstream down\"}}", Map.of())
            : turn == 1 ? Reply.tools("up", bash("echo up")) : Reply.tools("done", finish("recovered")));
        WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      AgentWorkflow run = h.start(TestRuns.state("down-1", repo, model.baseUrl(), "Outlast an outage"));
      h.env.sleep(java.time.Duration.ofHours(2)); // the retry policy's backoff, skipped
      Progress p = Eventually.get(() -> run.progress().pause() != null ? run.progress() : null);
      assertEquals(Pause.Cause.MODEL_ERROR, p.pause().cause());
      assertTrue(p.pause().reason().contains("HTTP 503") && p.pause().reason().contains("upstream down"), p.pause().reason());
      assertEquals(15, model.requests().size(), "every retry of the policy was made, with backoff (time skipped)");
      down.set(false);
      run.unpause();
      assertEquals(RunOutcome.FINISHED, h.client.newUntypedWorkflowStub("down-1").getResult(RunReport.class).outcome());
    }
  }

  @Test
  void aVanishedRepositoryPausesTheRunAndItGoesOnWhenItIsBack() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));
    Path away = tmp.resolve("repo-away");
    Gate gate = new Gate((turn, req) -> turn < 4
        ? Reply.tools("t" + turn, bash("echo " + turn + " >> log.txt")) : Reply.tools("done", finish("survived"))).close(2);
    try (ScriptedModel model = new ScriptedModel(gate);
        WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      AgentWorkflow run = h.start(TestRuns.state("gone-1", repo, model.baseUrl(), "Lose the repo"));
      gate.awaitReached(2);
      Files.move(repo, away); // someone moved the repository while the agent was thinking
      gate.open(2);
      Progress p = Eventually.get(() -> run.progress().pause() != null ? run.progress() : null);
      assertEquals(Pause.Cause.WORKSPACE_ERROR, p.pause().cause());
      assertTrue(p.pause().reason().contains("does not exist"), p.pause().reason());
      Files.move(away, repo);
      run.unpause();
      RunReport report = h.client.newUntypedWorkflowStub("gone-1").getResult(RunReport.class);
      assertEquals(RunOutcome.FINISHED, report.outcome());
      assertEquals("1\n2\n3", GitRepos.git(repo, "show", "marathon/gone-1:log.txt"), "the interrupted step ran once, after the fix");
    }
  }
}
