package dev.marathon.workflows;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.finish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.testing.Eventually;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.TestRuns;
import dev.marathon.testing.WorkflowHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model errors are classified once: transient ones retried, the rest pause the run with a clear reason. */
class ModelErrorsTest {
  @TempDir Path tmp;

  @Test
  void transientErrorsAreRetriedHonouringRetryAfter() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "x\n"));
    AtomicInteger attempts = new AtomicInteger();
    try (ScriptedModel model = new ScriptedModel((turn, req) -> {
          if (turn == 1) {
            int a = attempts.incrementAndGet();
            if (a == 1) return Reply.error(429, "{\"error\":{\"message\":\"rate limited\",\"code\":\"1302\"}}", Map.of("Retry-After", "1"));
            if (a == 2) return Reply.error(503, "upstream overloaded", Map.of());
            return Reply.tools("ok", bash("true"));
          }
          return Reply.tools("done", finish("ok"));
        });
        WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      h.start(TestRuns.state("retry-1", repo, model.baseUrl(), "Retry"));
      RunReport report = h.client.newUntypedWorkflowStub("retry-1").getResult(RunReport.class);
      assertEquals(RunOutcome.FINISHED, report.outcome());
      assertEquals(3, attempts.get());
    }
  }

  @Test
  void aRefusedKeyPausesTheRunNamesTheVariableAndNeverLeaksTheKey() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "x\n"));
    String key = TestRuns.key();
    AtomicInteger refusals = new AtomicInteger();
    ScriptedModel.Script refusing = (turn, req) -> {
      refusals.incrementAndGet();
      return Reply.error(401, "{\"error\":{\"message\":\"Incorrect API key provided: " + key + "\",\"code\":\"invalid_api_key\"}}", Map.of());
    };
    try (ScriptedModel model = new ScriptedModel(refusing);
        WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      AgentWorkflow run = h.start(TestRuns.state("key-1", repo, model.baseUrl(), "Use the key"));
      Progress paused = Eventually.get(() -> {
        Progress p = run.progress();
        return p.pause() != null ? p : null;
      });
      assertEquals(Pause.Cause.MODEL_ERROR, paused.pause().cause());
      assertTrue(paused.pause().reason().contains("MARATHON_TEST_KEY"), paused.pause().reason());
      assertTrue(paused.pause().reason().contains("HTTP 401"), paused.pause().reason());
      assertFalse(paused.pause().reason().contains(key), "the key leaked into the pause reason");
      assertEquals(1, refusals.get(), "a refused key must not be retried");
      assertEquals("Bearer " + key, model.requests().get(0).headers().get("Authorization").get(0));

      // The operator fixes the key and unpauses: the run picks up where it stopped.
      model.script((turn, req) -> turn == 1 ? Reply.tools("ok", bash("true")) : Reply.tools("done", finish("ok")));
      run.unpause();
      RunReport report = h.client.newUntypedWorkflowStub("key-1").getResult(RunReport.class);
      assertEquals(RunOutcome.FINISHED, report.outcome());

      String history = h.client.fetchHistory("key-1").toJson(false);
      assertFalse(history.contains(key), "the key is in history");
      try (Stream<Path> files = Files.walk(tmp.resolve("home"))) {
        for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
          assertFalse(Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1).contains(key), "the key is in " + f);
        }
      }
    }
  }

  @Test
  void contextOverflowCompactsInsteadOfRetryingBlindly() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "x\n"));
    AtomicInteger overflows = new AtomicInteger();
    try (ScriptedModel model = new ScriptedModel((turn, req) -> {
          if (turn <= 12) return Reply.tools("thinking about step " + turn + " ".repeat(50), bash("seq 1 400; echo step " + turn));
          if (turn == 13 && overflows.getAndIncrement() == 0) {
            return Reply.error(400, "{\"error\":{\"message\":\"This model's maximum context length is 8192 tokens\",\"code\":\"context_length_exceeded\"}}", Map.of());
          }
          return Reply.tools("wrap up", finish("compacted and finished"));
        });
        WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      // Window 0: size unknown, so only the provider's overflow error triggers compaction.
      h.start(TestRuns.state("overflow-1", repo, TestRuns.model(model.baseUrl(), 0), "Fill the context",
          RunOptions.DEFAULTS, Budget.UNLIMITED));
      RunReport report = h.client.newUntypedWorkflowStub("overflow-1").getResult(RunReport.class);
      assertEquals(RunOutcome.FINISHED, report.outcome());
      assertEquals(1, report.progress().compactions());
      long summaries = model.requests().stream().filter(s -> !s.body().has("tools")).count();
      assertEquals(1, summaries, "one summarizing call");
      ScriptedModel.Seen retried = model.requests().stream().filter(s -> s.turn() == 13 && s.status() == 200).findFirst().orElseThrow();
      String sent = retried.body().path("messages").toString();
      assertTrue(sent.contains("The conversation was compacted"), "the retried turn sees the summary");
      assertTrue(sent.length() < model.requests().stream().filter(s -> s.turn() == 13).findFirst().orElseThrow()
          .body().path("messages").toString().length(), "the retried prompt is shorter");
      assertTrue(model.violations().isEmpty(), model.violations().toString());
      assertNotNull(report.head());
    }
  }

  @Test
  void askingABrokenRunToFinishEndsItInsteadOfSpinning() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "x\n"));
    try (ScriptedModel model = new ScriptedModel((turn, req) -> Reply.error(403, "{\"error\":{\"message\":\"forbidden\"}}", Map.of()));
        WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      AgentWorkflow run = h.start(TestRuns.state("broken-1", repo, model.baseUrl(), "Never works"));
      Eventually.get(() -> run.progress().pause() != null ? true : null);
      run.finish(); // the agent gets a wrap-up turn, the model refuses again: the run ends
      RunReport report = h.client.newUntypedWorkflowStub("broken-1").getResult(RunReport.class);
      assertEquals(RunOutcome.INCOMPLETE, report.outcome());
      assertEquals(2, model.requests().size(), "one refused turn, one refused wrap-up turn");
    }
  }
}
