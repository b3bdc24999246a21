package dev.marathon.workflows;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.finish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.activities.Json;
import dev.marathon.activities.ReplyCap;
import dev.marathon.activities.store.CheckpointStore;
import dev.marathon.activities.store.Conversations;
import dev.marathon.activities.store.Message;
import dev.marathon.testing.Eventually;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Call;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.TestRuns;
import dev.marathon.testing.WorkflowHarness;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One runaway reply must not wedge a run. Before the cap, a reply with 10 MB of reasoning or a
 * 5 MB tool call was checkpointed and sent back on every later turn: the next prompt was larger
 * than the window, compaction keeps the recent turns verbatim and could not shrink it, so the run
 * paused, and paused again at every unpause. Now the reply is kept whole in the store, the model
 * is sent a short notice in its place, and the run goes on (both replies streamed, in fragments
 * as providers send them).
 */
class OversizedReplyTest {
  @TempDir Path tmp;

  /** Well above what the notice and a small conversation take, far below what was omitted. */
  static final int BOUNDED_REQUEST_CHARS = 16 * 1024;

  @Test
  void aReplyWithTenMegabytesOfReasoningIsKeptInTheStoreAndANoticeGoesBackInItsPlace() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "x\n"));
    String reasoning = "I keep thinking. ".repeat(10 * 1024 * 1024 / 17 + 1);
    try (ScriptedModel model = new ScriptedModel((turn, req) -> turn == 1
            ? Reply.tools(reasoning, bash("echo thought > a.txt"))
            : Reply.tools("short again", finish("done after a long thought")));
        WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      AgentWorkflow run = h.start(TestRuns.state("long-thought", repo, model.baseUrl(), "Think hard"));
      assertNull(settled(run).pause(), "it never paused (before the cap it paused, and again after every unpause)");
      RunReport report = h.client.newUntypedWorkflowStub("long-thought").getResult(RunReport.class);

      assertEquals(RunOutcome.FINISHED, report.outcome(), report.summary());
      assertTrue(model.violations().isEmpty(), model.violations().toString());
      assertEquals(0, report.progress().compactions(), "the context grew by the notice, not by 10 MB: nothing to compact");
      assertEquals("thought", GitRepos.git(repo, "show", "marathon/long-thought:a.txt"), "the reply's call ran");

      JsonNode next = request(model, 2);
      assertTrue(next.toString().length() < BOUNDED_REQUEST_CHARS, "the next request is bounded: " + next.toString().length());
      String sentBack = firstAssistant(next).path("reasoning_content").asText();
      assertTrue(sentBack.startsWith(ReplyCap.MARK) && sentBack.contains("reasoning") && sentBack.contains(
          String.format(java.util.Locale.ROOT, "%,d", reasoning.length())), sentBack);

      Message kept = conversation(h, report).stream().filter(Message::isAssistant).findFirst().orElseThrow();
      assertEquals(reasoning, kept.reasoning(), "the store holds the reasoning byte for byte");
    }
  }

  @Test
  void aFiveMegabyteToolCallIsNotRunAndTheModelIsToldWhyWhileTheStoreKeepsIt() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "x\n"));
    Map<String, Object> huge = Map.of("path", "big.txt", "content", "0123456789abcdef".repeat(5 * 1024 * 1024 / 16));
    try (ScriptedModel model = new ScriptedModel((turn, req) -> switch (turn) {
          case 1 -> Reply.tools("write it in one go", new Call("write_file", huge));
          case 2 -> Reply.tools("in parts then", bash("echo part > big.txt"));
          default -> Reply.tools("done", finish("wrote it in parts"));
        });
        WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      AgentWorkflow run = h.start(TestRuns.state("huge-call", repo, model.baseUrl(), "Write a big file"));
      assertNull(settled(run).pause(), "it never paused (before the cap it paused, and again after every unpause)");
      RunReport report = h.client.newUntypedWorkflowStub("huge-call").getResult(RunReport.class);

      assertEquals(RunOutcome.FINISHED, report.outcome(), report.summary());
      assertTrue(model.violations().isEmpty(), model.violations().toString());
      assertEquals("part", GitRepos.git(repo, "show", "marathon/huge-call:big.txt"), "the 5 MB call never ran");

      String result = model.toolResults(2);
      assertTrue(result.contains("5.0 MiB") && result.contains("larger than 1 MiB") && result.contains("not run"), result);
      JsonNode next = request(model, 2);
      assertTrue(next.toString().length() < BOUNDED_REQUEST_CHARS, "the next request is bounded: " + next.toString().length());
      JsonNode arguments = Json.MAPPER.readTree(
          firstAssistant(next).path("tool_calls").get(0).path("function").path("arguments").asText());
      assertTrue(arguments.path(ReplyCap.OMITTED_ARGUMENTS).asText().startsWith(ReplyCap.MARK), arguments.toString());
      assertFalse(request(model, 3).toString().contains("0123456789abcdef"), "later turns do not get it back either");

      String stored = new Conversations(CheckpointStore.open(h.home.store()), 4).arguments(report.progress().contextRef(), "call_1_0");
      assertEquals(Json.MAPPER.valueToTree(huge).toString(), stored, "the store holds the call's arguments byte for byte");
    }
  }

  /**
   * A local server started with an 8k window: a reply of 100,000 characters is under the cap, yet
   * three times the window, and compaction keeps the latest turn whole. Replies are then capped at
   * a quarter of the window, for as long as the prompt would not fit otherwise.
   */
  @Test
  void inASmallWindowAReplyUnderTheCapThatCannotFitIsCappedToAShareOfIt() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "x\n"));
    String reasoning = "Hmm. ".repeat(20_000);
    try (ScriptedModel model = new ScriptedModel((turn, req) -> turn == 1
            ? Reply.tools(reasoning, bash("echo small > a.txt"))
            : Reply.tools("ok", finish("done in a small window")));
        WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      AgentWorkflow run = h.start(TestRuns.state("small-window", repo, TestRuns.model(model.baseUrl(), 8_192), "Think in a small room",
          RunOptions.DEFAULTS, Budget.UNLIMITED));
      assertNull(settled(run).pause(), "it never paused");
      RunReport report = h.client.newUntypedWorkflowStub("small-window").getResult(RunReport.class);

      assertEquals(RunOutcome.FINISHED, report.outcome(), report.summary());
      assertTrue(model.violations().isEmpty(), model.violations().toString());
      String sentBack = firstAssistant(request(model, 2)).path("reasoning_content").asText();
      assertTrue(sentBack.startsWith(ReplyCap.MARK) && sentBack.contains("cap of 8,192 characters"), sentBack);
      assertEquals(reasoning, conversation(h, report).stream().filter(Message::isAssistant).findFirst().orElseThrow().reasoning());
    }
  }

  /** The run once it has ended or paused. */
  private static Progress settled(AgentWorkflow run) {
    return Eventually.get(() -> {
      Progress p = run.progress();
      return p.outcome() != null || p.pause() != null ? p : null;
    }, java.time.Duration.ofMinutes(3), "the run to end or pause");
  }

  private static JsonNode request(ScriptedModel model, int turn) {
    return model.requests().stream().filter(s -> s.turn() == turn && s.status() == 200).findFirst().orElseThrow().body();
  }

  private static JsonNode firstAssistant(JsonNode request) {
    for (JsonNode m : request.path("messages")) if (m.path("role").asText().equals("assistant")) return m;
    throw new AssertionError("no assistant message in " + request);
  }

  private static java.util.List<Message> conversation(WorkflowHarness h, RunReport report) {
    return new Conversations(CheckpointStore.open(h.home.store()), 4).load(report.progress().contextRef());
  }
}
