package dev.marathon.workflows;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.call;
import static dev.marathon.testing.ScriptedModel.finish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.testing.GitRepos;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Call;
import dev.marathon.testing.ScriptedModel.Raw;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.TestRuns;
import dev.marathon.testing.WorkflowHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad tool calls come back to the model as tool errors; the run neither crashes nor sticks. */
class ToolErrorsTest {
  @TempDir Path tmp;

  @Test
  void everyBadCallIsAnErrorResultAndTheRunGoesOn() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "same\nsame\n"));
    Path outside = tmp.resolve("escape.txt");
    List<Reply> script = List.of(
        Reply.tools("t1", new Call("frobnicate", Map.of("x", 1))),
        Reply.tools("t2", new Call("read_file", new Raw("{path: README"))),
        Reply.tools("t3", call("read_file", Map.of("path", "missing.txt"))),
        Reply.tools("t4", call("edit_file", Map.of("path", "README.md", "old_string", "same", "new_string", "other"))),
        Reply.tools("t5", call("write_file", Map.of("path", "../escape.txt", "content", "x")),
            call("write_file", Map.of("path", outside.toString(), "content", "x"))),
        Reply.tools("t6", call("update_plan", Map.of("steps", List.of(Map.of("step", "s", "status", "done"))))),
        Reply.tools("t7", new Call("finish", Map.of())),
        Reply.tools("t8", bash("echo still alive")),
        Reply.tools("t9", finish("survived every bad call")));
    try (ScriptedModel model = new ScriptedModel((turn, req) -> script.get(turn - 1));
        WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      h.start(TestRuns.state("errors-1", repo, model.baseUrl(), "Make mistakes"));
      RunReport report = h.client.newUntypedWorkflowStub("errors-1").getResult(RunReport.class);

      assertEquals(RunOutcome.FINISHED, report.outcome());
      assertEquals("survived every bad call", report.summary());
      assertTrue(model.violations().isEmpty(), model.violations().toString());
      String[] expected = {
          "unknown tool 'frobnicate'",
          "are not valid JSON",
          "no such file 'missing.txt'",
          "occurs 2 times",
          "'..' may not leave the workspace",
          "must be pending, in_progress or completed",
          "missing required argument 'summary'",
          "exit code: 0\nstill alive"};
      for (int turn = 1; turn <= expected.length; turn++) {
        String result = model.toolResults(turn + 1);
        assertTrue(result.contains(expected[turn - 1]), "turn " + turn + " result: " + result);
      }
      assertTrue(model.toolResults(6).contains("absolute path"), model.toolResults(6));
      assertFalse(Files.exists(outside), "a write escaped the workspace");
      assertEquals("same\nsame\n", GitRepos.git(repo, "show", "marathon/errors-1:README.md") + "\n");
    }
  }
}
