package dev.marathon.workflows;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.finish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.TestRuns;
import dev.marathon.testing.WorkflowHarness;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreservedThinkingTest {
  @TempDir Path tmp;

  static String thinking(int turn) {
    // Whitespace, unicode and JSON-hostile characters must all come back byte for byte.
    return "Turn " + turn + ": let me think…\n  - step \"" + turn + "\" \\ {json} \t ✓\n\n";
  }

  @Test
  void theRequestForTurnKCarriesTheReasoningOfEveryEarlierTurnVerbatim() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "# demo\n"));
    int turns = 8;
    try (ScriptedModel model = new ScriptedModel((turn, req) ->
            turn < turns ? Reply.tools(thinking(turn), bash("echo " + turn)) : Reply.tools(thinking(turn), finish("ok")));
        WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      h.start(TestRuns.state("think-1", repo, model.baseUrl(), "Think out loud"));
      RunReport report = h.client.newUntypedWorkflowStub("think-1").getResult(RunReport.class);
      assertEquals(RunOutcome.FINISHED, report.outcome());
      assertTrue(model.violations().isEmpty(), model.violations().toString());

      for (ScriptedModel.Seen seen : model.requests()) {
        List<String> sent = new ArrayList<>();
        for (JsonNode m : seen.body().path("messages")) {
          if (m.path("role").asText().equals("assistant")) sent.add(m.path("reasoning_content").asText());
        }
        List<String> expected = new ArrayList<>();
        for (int k = 1; k < seen.turn(); k++) expected.add(thinking(k));
        assertEquals(expected, sent, "request for turn " + seen.turn());
      }
      assertEquals(turns, model.requests().size());
    }
  }
}
