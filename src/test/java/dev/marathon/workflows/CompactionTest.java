package dev.marathon.workflows;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.call;
import static dev.marathon.testing.ScriptedModel.finish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.activities.store.CheckpointStore;
import dev.marathon.activities.store.Conversations;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.TestRuns;
import dev.marathon.testing.WorkflowHarness;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compaction before the window overflows: the pinned facts survive, the next request fits. */
class CompactionTest {
  @TempDir Path tmp;
  static final long WINDOW = 8_000;
  static final String TASK = "Refactor the parser. PINNED-FACT: keep the public API of Parser.parse() unchanged.";

  @Test
  void compactionKeepsTheTaskPlanAndFilesAndTheNextRequestFitsTheWindow() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "# parser\n"));
    ScriptedModel.Script script = (turn, req) -> {
      String r = "turn " + turn + " reasoning " + "r".repeat(200);
      if (turn == 1) return Reply.tools(r, call("update_plan", Map.of("steps", List.of(
          Map.of("step", "PLAN-STEP-A: read the parser", "status", "completed"),
          Map.of("step", "PLAN-STEP-B: split the lexer", "status", "in_progress")))));
      if (turn == 2) return Reply.tools(r, call("write_file", Map.of("path", "src/lexer/Lexer.java", "content", "class Lexer {}\n")));
      if (turn >= 30) return Reply.tools(r, finish("done"));
      return Reply.tools(r, bash("seq 1 1200; echo turn " + turn)); // ~5 KB of output each turn
    };
    try (ScriptedModel model = new ScriptedModel(script); WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      h.start(TestRuns.state("compact-1", repo, TestRuns.model(model.baseUrl(), WINDOW), TASK, RunOptions.DEFAULTS, Budget.UNLIMITED));
      RunReport report = h.client.newUntypedWorkflowStub("compact-1").getResult(RunReport.class);
      assertEquals(RunOutcome.FINISHED, report.outcome());
      assertTrue(report.progress().compactions() >= 1, "compacted " + report.progress().compactions() + " times");
      assertTrue(model.violations().isEmpty(), model.violations().toString());

      int summarized = 0;
      for (ScriptedModel.Seen seen : model.requests()) {
        if (!seen.body().has("tools")) continue; // the summarizing calls themselves
        long tokens = seen.body().path("messages").toString().length() / 4;
        assertTrue(tokens <= WINDOW, "turn " + seen.turn() + " sent " + tokens + " tokens, over the window");
        String sent = seen.body().path("messages").toString();
        assertTrue(sent.contains("PINNED-FACT"), "the task is pinned (turn " + seen.turn() + ")");
        if (sent.contains("The conversation was compacted")) {
          summarized++;
          assertTrue(sent.contains("PLAN-STEP-A") && sent.contains("PLAN-STEP-B"), "the plan is pinned");
          assertTrue(sent.contains("src/lexer/Lexer.java"), "files touched are pinned");
          JsonNode last = seen.body().path("messages");
          int assistants = 0;
          for (JsonNode m : last) if (m.path("role").asText().equals("assistant")) assistants++;
          assertTrue(assistants >= 1, "recent turns are kept verbatim");
        }
      }
      assertTrue(summarized > 0, "some requests went out after a summary");

      // Nothing was deleted: the full transcript is still in the store, reachable from the compacted one.
      RunState state = h.client.newWorkflowStub(AgentWorkflow.class, "compact-1").state();
      Conversations conversations = new Conversations(CheckpointStore.open(tmp.resolve("home/store")), 4);
      String ref = state.conversation.contextRef;
      String original = null;
      while (ref != null) {
        var checkpoint = conversations.read(ref);
        if (checkpoint.compactedFrom() != null) original = checkpoint.compactedFrom();
        ref = checkpoint.parent();
      }
      assertTrue(original != null, "the compacted conversation links to the one it replaced");
      assertTrue(conversations.load(original).stream().anyMatch(m -> m.content() != null && m.content().contains("\n600\n")),
          "the replaced transcript keeps the full tool output");
    }
  }

  @Test
  void aFailingSummaryLeavesTheOldContextInPlaceAndTheRunGoesOn() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo2"), Map.of("README.md", "# parser\n"));
    // The bulk is reasoning, which compaction never masks: only a summary could shrink it.
    ScriptedModel.Script script = (turn, req) -> turn >= 14
        ? Reply.tools("r", finish("done without compaction"))
        : Reply.tools("turn " + turn + " " + "r".repeat(4_800), bash("echo turn " + turn));
    try (ScriptedModel model = new ScriptedModel(script); WorkflowHarness h = new WorkflowHarness(tmp.resolve("home2"))) {
      model.failSummaries(true);
      // The conversation passes 80% of the window (so compaction is tried) but never fills it.
      h.start(TestRuns.state("compact-2", repo, TestRuns.model(model.baseUrl(), 20_000), TASK, RunOptions.DEFAULTS, Budget.UNLIMITED));
      RunReport report = h.client.newUntypedWorkflowStub("compact-2").getResult(RunReport.class);
      assertEquals(RunOutcome.FINISHED, report.outcome());
      assertTrue(model.requests().stream().anyMatch(s -> !s.body().has("tools")), "compaction was attempted");
      RunState state = h.client.newWorkflowStub(AgentWorkflow.class, "compact-2").state();
      Conversations conversations = new Conversations(CheckpointStore.open(tmp.resolve("home2/store")), 4);
      assertEquals(0, state.conversation.compactions);
      assertEquals(2 + 13 * 2 + 1, conversations.load(state.conversation.contextRef).size(), "the full conversation: nothing replaced");
      assertEquals(null, conversations.read(state.conversation.contextRef).compactedFrom());
    }
  }
}
