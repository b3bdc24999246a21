package dev.marathon.workflows;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.call;
import static dev.marathon.testing.ScriptedModel.finish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.testing.GitRepos;
import dev.marathon.runtime.HistoryChain;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.TestRuns;
import dev.marathon.testing.WorkflowHarness;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.common.WorkflowExecutionHistory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Over a 200-turn run, Temporal history carries refs and short digests only: no payload over the
 * README's "about 4 KB" (5 KiB allowed), and none of the conversation's bulk (reasoning, file
 * contents, tool output).
 */
class HistoryHygieneTest {
  @TempDir Path tmp;

  static final int TURNS = 200;

  static String bulk(String marker, int turn) {
    // The marker sits far past any digest, so only a leak of the full text would show it.
    return "x".repeat(2_000) + " " + marker + "-" + turn + " " + "y".repeat(500);
  }

  @Test
  void twoHundredTurnsKeepEveryPayloadSmallAndTheConversationOutOfHistory() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "# demo\n"));
    try (ScriptedModel model = new ScriptedModel((turn, req) -> {
          if (turn == TURNS) return Reply.tools(bulk("THINKING", turn), finish("done after " + turn + " turns"));
          return switch (turn % 3) {
            case 0 -> Reply.tools(bulk("THINKING", turn), call("write_file",
                Map.of("path", "notes/n" + turn + ".txt", "content", bulk("FILECONTENT", turn))));
            case 1 -> Reply.tools(bulk("THINKING", turn), bash("printf '%s' '" + bulk("TOOLOUTPUT", turn) + "'"));
            default -> Reply.tools(bulk("THINKING", turn), call("read_file", Map.of("path", "README.md")));
          };
        });
        WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      h.start(TestRuns.state("hygiene-1", repo, model.baseUrl(), "Keep going for a long time"));
      RunReport report = h.client.newUntypedWorkflowStub("hygiene-1").getResult(RunReport.class);
      assertEquals(RunOutcome.FINISHED, report.outcome());
      assertEquals(TURNS, report.progress().turn());
      assertTrue(model.violations().isEmpty(), model.violations().toString());

      // Every run of the chain (continue-as-new may have split it).
      List<WorkflowExecutionHistory> chain = HistoryChain.fetch(h.client, "hygiene-1");
      int largest = 0;
      for (WorkflowExecutionHistory history : chain) {
        for (HistoryEvent e : history.getEvents()) {
          for (Payload p : HistoryChain.payloads(e)) largest = Math.max(largest, p.getSerializedSize());
        }
        String json = history.toJson(false);
        for (String marker : List.of("THINKING-", "FILECONTENT-", "TOOLOUTPUT-")) {
          assertFalse(json.contains(marker), "history contains conversation text " + marker);
        }
      }
      // The final result is the largest: the run's state rides in it, for reading an ended run back without a replay.
      assertTrue(largest <= 10 * 1024, "largest payload " + largest + " bytes; the README says about 4 KB, and 8 KB for the result");
      System.out.printf("hygiene: %d runs in chain, largest payload %d bytes%n", chain.size(), largest);
    }
  }
}
