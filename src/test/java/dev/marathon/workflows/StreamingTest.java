package dev.marathon.workflows;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.call;
import static dev.marathon.testing.ScriptedModel.finish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Fault;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.TestRuns;
import dev.marathon.testing.WorkflowHarness;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replies stream (SSE) by default: a turn's reasoning, text and tool-call arguments arrive in
 * pieces and must join to exactly what a whole reply would have said, and a stream that stalls or
 * is cut is a transient failure — the turn is asked again, nothing half-read is kept.
 */
class StreamingTest {
  @TempDir Path tmp;

  /**
   * Heartbeat (and so stall) timeout of four seconds, so a stalled stream is given up quickly. Not
   * less: a quick model call sends no heartbeat at all, so its whole attempt, the store's fsyncs
   * included, must fit in it, or it is timed out and the turn asked a third time on a busy disk.
   */
  static final RunOptions QUICK = new RunOptions(600, 3600, 4, 4000, 80);

  @Test
  void aStreamedRunJoinsThePiecesAndSendsTheReasoningBackWhole() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "x\n"));
    String thinking = "First I will write the notes file, then check it with cat, then finish.";
    String content = "# Notes\n\nStreamed in eight-character fragments, with \"quotes\" and unicode: é ✓.\n";
    try (ScriptedModel model = new ScriptedModel((turn, req) -> switch (turn) {
          case 1 -> Reply.tools(thinking, call("write_file", Map.of("path", "notes.md", "content", content)));
          case 2 -> Reply.tools("check", bash("cat notes.md"));
          default -> Reply.tools("done", finish("wrote the notes"));
        });
        WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      h.start(TestRuns.state("stream-1", repo, model.baseUrl(), "Write notes"));
      RunReport report = h.client.newUntypedWorkflowStub("stream-1").getResult(RunReport.class);

      assertEquals(RunOutcome.FINISHED, report.outcome(), report.summary());
      assertEquals(model.requests().size(), model.streamedRequests(), "every turn streamed");
      JsonNode second = model.requests().get(1).body();
      JsonNode echoed = second.path("messages").get(2);
      assertEquals(thinking, echoed.path("reasoning_content").asText(), "the reasoning deltas, joined, went back verbatim");
      assertTrue(second.path("stream_options").path("include_usage").asBoolean());
      String result = model.toolResults(3);
      assertTrue(result.contains("Streamed in eight-character fragments, with \"quotes\" and unicode: é ✓."), result);
      assertEquals(content, GitRepos.git(repo, "show", "marathon/stream-1:notes.md") + "\n", "the arguments' fragments joined exactly");
      assertTrue(report.progress().usage().promptTokens() > 0, "usage from the last chunk is accounted");
      assertTrue(report.progress().usage().completionTokens() > 0);
    }
  }

  @Test
  void aStalledOrCutStreamIsAskedAgainAndNothingHalfReadIsKept() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "x\n"));
    AtomicInteger firstTurn = new AtomicInteger();
    AtomicInteger secondTurn = new AtomicInteger();
    try (ScriptedModel model = new ScriptedModel((turn, req) -> switch (turn) {
          case 1 -> {
            Reply r = Reply.tools("a long thought that stalls half way", bash("echo first > a.txt"));
            yield firstTurn.incrementAndGet() == 1 ? r.failing(Fault.stallAfter(3)) : r;
          }
          case 2 -> {
            Reply r = Reply.tools("and one cut off", bash("echo second > b.txt"));
            yield secondTurn.incrementAndGet() == 1 ? r.failing(Fault.cutAfter(5)) : r;
          }
          default -> Reply.tools("done", finish("both files"));
        });
        WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      h.start(TestRuns.state("stream-2", repo, model.baseUrl(), "Two files", QUICK, Budget.UNLIMITED));
      RunReport report = h.client.newUntypedWorkflowStub("stream-2").getResult(RunReport.class);

      assertEquals(RunOutcome.FINISHED, report.outcome(), report.summary());
      assertEquals(2, firstTurn.get(), "the stalled turn was asked once more");
      assertEquals(2, secondTurn.get(), "the cut turn was asked once more");
      assertEquals(2, report.progress().toolCalls() - 1, "each command ran once: " + report.progress());
      assertEquals("first", GitRepos.git(repo, "show", "marathon/stream-2:a.txt"));
      assertEquals("second", GitRepos.git(repo, "show", "marathon/stream-2:b.txt"));
      JsonNode last = model.requests().get(model.requests().size() - 1).body();
      long assistants = 0;
      for (JsonNode m : last.path("messages")) if (m.path("role").asText().equals("assistant")) assistants++;
      assertEquals(2, assistants, "no half-read reply entered the conversation");
    }
  }

  @Test
  void noStreamAsksForWholeReplies() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "x\n"));
    try (ScriptedModel model = new ScriptedModel((turn, req) -> turn == 1 ? Reply.tools("t", bash("true")) : Reply.tools("d", finish("ok")));
        WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      ModelSettings whole = new ModelSettings(model.baseUrl(), "scripted-1", TestRuns.KEY_ENV, "kimi", 200_000, 4096, null, Boolean.FALSE);
      h.start(TestRuns.state("stream-3", repo, whole, "Whole", RunOptions.DEFAULTS, Budget.UNLIMITED));
      RunReport report = h.client.newUntypedWorkflowStub("stream-3").getResult(RunReport.class);
      assertEquals(RunOutcome.FINISHED, report.outcome());
      assertEquals(0, model.streamedRequests());
      assertEquals(2, model.requests().size());
    }
  }
}
