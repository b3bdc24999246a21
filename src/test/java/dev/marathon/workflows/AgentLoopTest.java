package dev.marathon.workflows;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.call;
import static dev.marathon.testing.ScriptedModel.finish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.testing.GitRepos;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.TestRuns;
import dev.marathon.testing.WorkflowHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentLoopTest {
  @TempDir Path tmp;

  @Test
  void completesAMultiTurnTaskOnItsOwnBranchWithoutTouchingTheUsersCheckout() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "# demo\n", "src/app.sh", "echo hello\n"));
    Files.writeString(repo.resolve("scratch.txt"), "user's uncommitted work\n"); // must survive untouched
    String before = GitRepos.fingerprint(repo);
    List<Reply> script = List.of(
        Reply.tools("I should plan first.", call("update_plan", Map.of("steps", List.of(
            Map.of("step", "write greeting", "status", "in_progress"),
            Map.of("step", "verify", "status", "pending"))))),
        Reply.tools("Create the file.", call("write_file", Map.of("path", "greeting.txt", "content", "hello world\n"))),
        Reply.tools("Fix the wording.", call("edit_file", Map.of("path", "greeting.txt", "old_string", "world", "new_string", "marathon"))),
        Reply.tools("Verify it.", bash("cat greeting.txt && git status --porcelain")),
        Reply.tools("Done.", finish("Wrote greeting.txt saying hello marathon.")));
    try (ScriptedModel model = new ScriptedModel((turn, req) -> script.get(turn - 1));
        WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      AgentWorkflow run = h.start(TestRuns.state("greet-1", repo, model.baseUrl(), "Write a greeting file"));
      RunReport report = h.client.newUntypedWorkflowStub("greet-1").getResult(RunReport.class);

      assertEquals(RunOutcome.FINISHED, report.outcome());
      assertEquals("Wrote greeting.txt saying hello marathon.", report.summary());
      assertEquals(5, report.progress().turn());
      assertEquals(5, report.progress().toolCalls());
      assertEquals("hello marathon\n", GitRepos.git(repo, "show", "marathon/greet-1:greeting.txt") + "\n");
      assertEquals(before, GitRepos.fingerprint(repo), "the user's checkout was touched");
      assertTrue(model.violations().isEmpty(), model.violations().toString());
      assertTrue(report.progress().usage().promptTokens() > 0);
    }
  }
}
