package dev.marathon.workflows;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.finish;
import static dev.marathon.testing.ScriptedModel.newUserText;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.testing.Eventually;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Call;
import dev.marathon.testing.ScriptedModel.Raw;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.TestRuns;
import dev.marathon.testing.WorkflowHarness;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What small and local models do to a run, found running one against real servers: a reply cut at
 * the output limit mid-call, a server whose window is far smaller than configured, and a model
 * that chats instead of calling tools. Each must cost a turn at most, never the run.
 */
class ModelLimitsTest {
  @TempDir Path tmp;

  @Test
  void aCallCutAtTheOutputLimitIsNotRunAndTheModelIsToldWhy() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "x\n"));
    try (ScriptedModel model = new ScriptedModel((turn, req) -> switch (turn) {
          case 1 -> Reply.tools("write it all", new Call("write_file", new Raw("{\"path\": \"big.txt\", \"content\": \"aaaa"))).cutAtLimit();
          case 2 -> Reply.tools("smaller", bash("echo part > big.txt"));
          default -> Reply.tools("done", finish("wrote it in parts"));
        });
        WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      h.start(TestRuns.state("cut-1", repo, model.baseUrl(), "Write a big file"));
      RunReport report = h.client.newUntypedWorkflowStub("cut-1").getResult(RunReport.class);
      assertEquals(RunOutcome.FINISHED, report.outcome());
      String result = model.toolResults(2);
      assertTrue(result.contains("cut off at the output limit"), result);
      assertTrue(newUserText(model.requests().get(1).body()).contains("Keep replies and tool calls smaller"));
      assertEquals("part", GitRepos.git(repo, "show", "marathon/cut-1:big.txt"), "the half-formed call never ran");
    }
  }

  /** A llama.cpp-like server: any prompt over its 6,000-token window is refused with the window's size. */
  @Test
  void aServerWithASmallerWindowTeachesItOnceAndTheRunCompactsToFit() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "x\n"));
    long window = 6_000;
    AtomicInteger refused = new AtomicInteger();
    try (ScriptedModel model = new ScriptedModel((turn, req) -> {
          long tokens = req.toString().length() / 4;
          if (tokens > window) {
            refused.incrementAndGet();
            return Reply.error(400, "{\"error\":{\"code\":400,\"message\":\"request (" + tokens + " tokens) exceeds the available context"
                + " size (" + window + " tokens), try increasing it\",\"type\":\"exceed_context_size_error\",\"n_prompt_tokens\":" + tokens
                + ",\"n_ctx\":" + window + "}}", Map.of());
          }
          if (turn > 6) return Reply.tools("done", finish("read it all"));
          return Reply.tools("read more", bash("yes part-" + turn + " | head -c 9000"));
        });
        WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      h.start(TestRuns.state("window-1", repo, model.baseUrl(), "Read a lot"));
      RunReport report = h.client.newUntypedWorkflowStub("window-1").getResult(RunReport.class);
      assertEquals(RunOutcome.FINISHED, report.outcome(), report.summary());
      assertEquals(1, refused.get(), "refused once; from then on the run knows the window and compacts before sending");
      assertTrue(report.progress().compactions() >= 2, "compacted after the refusal and again before the window filled: "
          + report.progress().compactions());
    }
  }

  @Test
  void aModelThatOnlyChatsIsPausedAfterFiveTurnsAndEachReplyIsOnRecord() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "x\n"));
    try (ScriptedModel model = new ScriptedModel((turn, req) -> turn <= 5
            ? Reply.text("hmm", "I would start by looking at the tests (turn " + turn + ").")
            : Reply.tools("ok", finish("done after being told")));
        WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      AgentWorkflow run = h.start(TestRuns.state("chat-1", repo, model.baseUrl(), "Fix it"));
      Progress paused = Eventually.get(() -> {
        Progress p = run.progress();
        return p.pause() != null ? p : null;
      });
      assertEquals(Pause.Cause.STUCK, paused.pause().cause());
      assertTrue(paused.pause().reason().contains("5 turns in a row without calling a tool"), paused.pause().reason());
      assertEquals(5, paused.recent().stream().filter(a -> a.line().startsWith("reply: I would start")).count(), paused.recent().toString());
      assertTrue(newUserText(model.requests().get(1).body()).contains("You replied without calling a tool"));
      run.unpause();
      RunReport report = h.client.newUntypedWorkflowStub("chat-1").getResult(RunReport.class);
      assertEquals(RunOutcome.FINISHED, report.outcome());
      assertFalse(report.progress().recent().isEmpty());
    }
  }
}
