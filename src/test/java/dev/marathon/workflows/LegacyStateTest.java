package dev.marathon.workflows;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.finish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.marathon.activities.Json;
import dev.marathon.runtime.DataConverters;
import dev.marathon.runtime.WorkerHost;
import dev.marathon.testing.Eventually;
import dev.marathon.testing.Gate;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.TestRuns;
import dev.marathon.testing.WorkflowHarness;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.WorkflowExecutionHistory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs in flight when Marathon is upgraded continue on the new code: a state that the previous
 * version wrote at continue-as-new (three nullable lifecycle fields, a base commit, calls whose
 * arguments were stored under {@code argumentsRef}) is read into today's shape and goes on.
 */
class LegacyStateTest {
  @TempDir Path tmp;

  @Test
  void theStateThePreviousVersionWroteAtContinueAsNewReadsIntoTodaysShape() throws Exception {
    WorkflowExecutionHistory h = WorkflowExecutionHistory.fromJson(
        Files.readString(Path.of("src/test/resources/histories/continue-as-new-run1.json")));
    HistoryEvent last = h.getEvents().get(h.getEvents().size() - 1);
    var payload = last.getWorkflowExecutionContinuedAsNewEventAttributes().getInput().getPayloads(0);
    assertTrue(payload.getData().toStringUtf8().contains("\"pause\":null"), "an old-shape state");
    RunState s = DataConverters.marathon().fromPayload(payload, RunState.class, RunState.class).migrated();
    assertEquals(4, s.turn);
    assertEquals(4, s.toolCalls);
    assertEquals(Lifecycle.RUNNING, s.lifecycle);
    assertEquals(1, s.conversation.observations.size());
    assertTrue(s.calls.pending.isEmpty() && s.calls.all.isEmpty());
  }

  @Test
  void aTurnInterruptedByABrokenWorkspaceBeforeThePendingCallBecameATypeGoesOnFromItsBrokenCall() throws Exception {
    // As runs wrote it before commit 245cbe9: two flags beside the pending calls, at the top level.
    String old = """
        {"spec":{"runId":"r-1","title":"t","repo":"/repo","branch":"marathon/r-1",
                 "model":{"baseUrl":"http://x","model":"m","apiKeyEnv":"K","contextWindow":1000,"maxOutputTokens":100}},
         "turn":3,"toolCalls":5,
         "pendingCalls":[{"kind":"workspace","id":"c9","tool":"bash","argumentsHash":"h","display":"bash: make","timeoutSeconds":0}],
         "turnCalls":[{"kind":"workspace","id":"c9","tool":"bash","argumentsHash":"h","display":"bash: make","timeoutSeconds":0}],
         "pendingCallFailed":true,"pendingCallStarted":true}
        """;
    RunState s = Json.MAPPER.readValue(old, RunState.class).migrated();
    assertEquals(PendingCall.BROKEN, s.calls.first, "made again after the pause, not counted again");
    assertEquals(1, s.calls.pending.size());
    assertEquals("bash: make", ((dev.marathon.workflows.api.ToolCall.Workspace) s.calls.pending.get(0)).display());
    assertEquals(1, s.calls.all.size());

    RunState started = Json.MAPPER.readValue(old.replace("\"pendingCallFailed\":true", "\"pendingCallFailed\":false"), RunState.class).migrated();
    assertEquals(PendingCall.STARTED, started.calls.first, "a wait for sub-agents that spanned continue-as-new is counted once");

    // Today's shape keeps the calls' fields at the top level, where in-flight runs and the Web UI have them.
    JsonNode now = Json.MAPPER.valueToTree(s);
    assertTrue(now.has("pendingCalls") && now.has("turnCalls") && now.has("usage") && now.has("observations") && now.has("agents"), now.toString());
    for (String part : List.of("calls", "spending", "conversation", "swarm")) assertTrue(!now.has(part), part + " is unwrapped: " + now);
    assertEquals("broken", now.get("pendingCall").get("progress").asText());
    assertTrue(now.get("pendingCallFailed").asBoolean() && now.get("pendingCallStarted").asBoolean(),
        "the flags are written too, for a worker of the previous version during an upgrade");
    RunState again = Json.MAPPER.treeToValue(now, RunState.class).migrated();
    assertEquals(PendingCall.BROKEN, again.calls.first);
    assertEquals(s.calls.pending, again.calls.pending);
  }

  @Test
  void aPausedRunContinuedFromAStateInThePreviousShapeGoesOnExactlyOnce() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("log.txt", ""));
    Gate gate = new Gate((turn, req) -> turn <= 3
        ? Reply.tools("step " + turn, bash("echo " + turn + " >> log.txt")) : Reply.tools("done", finish("continued"))).close(2);
    try (ScriptedModel model = new ScriptedModel(gate);
        WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      AgentWorkflow first = h.start(TestRuns.state("legacy-1", repo, model.baseUrl(), "Outlive an upgrade"));
      gate.awaitReached(2);
      first.pause("upgrading the workers");
      gate.open(2);
      Eventually.get(() -> first.progress().phase().equals("paused") ? true : null); // at the boundary
      RunState now = first.state();
      assertEquals(2, now.turn);
      assertTrue(now.calls.pending.isEmpty() && now.conversation.observations.size() == 1, "between turns, as continue-as-new leaves it");
      h.client.newUntypedWorkflowStub("legacy-1").terminate("the old worker version went away");

      // The same state as the previous version carried it across continue-as-new.
      ObjectNode old = Json.MAPPER.valueToTree(now);
      old.remove(List.of("lifecycle", "pendingCalls", "pendingCallFailed", "turnCalls"));
      old.putObject("pause").put("cause", "OPERATOR").put("reason", now.lifecycle.pause().reason());
      old.putNull("stop");
      old.putNull("outcome");
      old.put("baseCommit", GitRepos.git(repo, "rev-parse", "HEAD"));
      WorkflowStub next = h.client.newUntypedWorkflowStub("AgentWorkflow",
          WorkflowOptions.newBuilder().setWorkflowId("legacy-1").setTaskQueue(WorkerHost.TASK_QUEUE).build());
      next.start((JsonNode) old);

      AgentWorkflow run = h.client.newWorkflowStub(AgentWorkflow.class, "legacy-1");
      Progress paused = Eventually.get(() -> run.progress().phase().equals("paused") ? run.progress() : null);
      assertEquals(new Pause(Pause.Cause.OPERATOR, "upgrading the workers"), paused.pause(), "still paused by its operator");
      Thread.sleep(500);
      assertEquals(2, model.completions(), "a paused run asks nothing of the model");
      run.unpause();
      RunReport report = next.getResult(RunReport.class);
      assertEquals(RunOutcome.FINISHED, report.outcome());
      assertEquals("1\n2\n3", GitRepos.git(repo, "show", "marathon/legacy-1:log.txt"), "every step once, none lost");
      assertTrue(model.violations().isEmpty(), model.violations().toString());
    }
  }
}
