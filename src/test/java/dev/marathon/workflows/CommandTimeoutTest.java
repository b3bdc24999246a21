package dev.marathon.workflows;

import static dev.marathon.testing.ScriptedModel.finish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.testing.GitRepos;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Call;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.TestRuns;
import dev.marathon.testing.WorkflowHarness;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How long a command may run: the run's default, what the model asks, capped by the run. */
class CommandTimeoutTest {
  @TempDir Path tmp;

  @Test
  void theModelMayAskForMoreTimeUpToTheCap() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));
    List<Reply> script = List.of(
        Reply.tools("default", new Call("bash", Map.of("command", "sleep 3; echo slept"))),
        Reply.tools("ask", new Call("bash", Map.of("command", "sleep 3; echo slept", "timeout_seconds", 6))),
        Reply.tools("greedy", new Call("bash", Map.of("command", "sleep 30; echo slept", "timeout_seconds", 100000))),
        Reply.tools("done", finish("ok")));
    // default 1 s, cap 4 s
    RunOptions options = new RunOptions(1, 4, 10, 4000, 80);
    try (ScriptedModel model = new ScriptedModel((turn, req) -> script.get(turn - 1));
        WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      h.start(TestRuns.state("timeouts-1", repo, TestRuns.model(model.baseUrl(), 200_000), "Wait", options, Budget.UNLIMITED));
      RunReport report = h.client.newUntypedWorkflowStub("timeouts-1").getResult(RunReport.class);
      assertEquals(RunOutcome.FINISHED, report.outcome());
      assertTrue(model.toolResults(2).startsWith("Command timed out after 1 s"), model.toolResults(2));
      assertTrue(model.toolResults(3).startsWith("exit code: 0\nslept"), model.toolResults(3));
      assertTrue(model.toolResults(4).startsWith("Command timed out after 4 s"), model.toolResults(4));
    }
  }
}
