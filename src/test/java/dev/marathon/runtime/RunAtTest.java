package dev.marathon.runtime;

import static dev.marathon.runtime.RecordedTurns.bash;
import static dev.marathon.runtime.RecordedTurns.plan;
import static dev.marathon.runtime.RecordedTurns.reply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.activities.store.Message;
import dev.marathon.workflows.Budget;
import dev.marathon.workflows.ModelSettings;
import dev.marathon.workflows.PlanStep;
import dev.marathon.workflows.Rewind;
import dev.marathon.workflows.RunOptions;
import dev.marathon.workflows.RunSpec;
import dev.marathon.workflows.RunState;
import dev.marathon.workflows.StepStatus;
import dev.marathon.workflows.Usage;
import dev.marathon.workflows.api.Observation;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state right after turn N, read from the transcript: what fork starts from and rewind goes back to. */
class RunAtTest {
  @TempDir Path dir;

  static RunSpec spec(String id) {
    return new RunSpec(id, "Write lines", "/repo", "marathon/" + id,
        new ModelSettings("http://x", "glm-5.1", "K", null, 200_000, 1000, null), RunOptions.DEFAULTS);
  }

  /** Three turns: a plan and a bash call, a stored bash result and a refused plan, then the run's current state after turn 3. */
  RecordedTurns threeTurns() {
    RecordedTurns run = new RecordedTurns(dir, "Write lines", "Write lines");
    run.turn(1, "ws-0", List.of(), reply("r1", plan("p1", "[{\"step\": \"write\", \"status\": \"in_progress\"}]"), bash("c1", "echo 1")));
    String stored = run.store.putText("1\n");
    run.turn(2, "ws-1", List.of(Message.toolResult("p1", "update_plan", "Plan updated."), Message.storedToolResult("c1", "bash", stored, "1\n"),
        Message.user("Message from the operator: hurry")), reply("r2", plan("p2", "\"not a list\""), bash("c2", "echo 2")));
    run.turn(3, "ws-2", List.of(Message.toolResult("p2", "update_plan", "Error"), Message.toolResult("c2", "bash", "2\n")),
        reply("r3", bash("c3", "echo 3")));
    return run;
  }

  RunState current(RecordedTurns run) {
    RunState s = RunState.start(spec("orig"), null, new Budget(50, null, null, null));
    s.conversation.contextRef = run.at;
    s.workspaceRef = "ws-3";
    s.conversation.observations.add(Observation.inline("c3", "bash", "3\n"));
    s.conversation.contextWindow = 8_000L;
    return s;
  }

  @Test
  void afterATurnTheNextTurnsInputsAreTheState() {
    RecordedTurns run = threeTurns();
    RunTranscript t = run.read();
    RunAt at = RunAt.of(t, 1, current(run), "orig");
    assertEquals(1, at.turn());
    assertEquals(t.turn(1).ref(), at.contextRef(), "turn 2 was given turn 1's checkpoint");
    assertEquals("ws-1", at.workspaceRef(), "the snapshot turn 2 started from");
    assertEquals(List.of(Observation.inline("p1", "update_plan", "Plan updated."), Observation.stored("c1", "bash", run.store.putText("1\n"), 2)),
        at.observations(), "turn 1's results only (a stored one by its ref), not the operator's message");
    assertEquals(List.of(new PlanStep("write", StepStatus.IN_PROGRESS)), at.plan());
    assertEquals(2, at.toolCalls());
    assertEquals(new Usage(100, 10, 1, 0.01, 0), at.usage());
  }

  @Test
  void aRefusedPlanLeavesThePlanAndCountsAndCostsAddUp() {
    RecordedTurns run = threeTurns();
    RunAt at = RunAt.of(run.read(), 2, current(run), "orig");
    assertEquals(List.of(new PlanStep("write", StepStatus.IN_PROGRESS)), at.plan(), "turn 2's update_plan was refused");
    assertEquals(4, at.toolCalls());
    assertEquals(300, at.usage().promptTokens());
    assertEquals(30, at.usage().completionTokens());
    assertEquals(3, at.usage().cachedTokens());
    assertEquals(0.03, at.usage().costUsd(), 1e-9);
    assertEquals("ws-2", at.workspaceRef());
  }

  @Test
  void afterTheLastTurnTheStateIsTheRunsOwn() {
    RecordedTurns run = threeTurns();
    RunState now = current(run);
    RunAt at = RunAt.of(run.read(), 3, now, "orig");
    assertEquals(run.at, at.contextRef());
    assertEquals("ws-3", at.workspaceRef());
    assertEquals(now.conversation.observations, at.observations());
    assertEquals(5, at.toolCalls());
    IllegalArgumentException unread = assertThrows(IllegalArgumentException.class, () -> RunAt.of(run.read(), 3, null, "orig"));
    assertTrue(unread.getMessage().contains("cannot be read"), unread.getMessage());
  }

  @Test
  void aTurnOutsideTheRunIsRefusedWithItsRange() {
    RecordedTurns run = threeTurns();
    for (int n : new int[] {0, 4}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunAt.of(run.read(), n, null, "orig"));
      assertEquals("turn " + n + " is outside run orig's turns 1..3", e.getMessage());
    }
    RunTranscript empty = new RecordedTurns(dir.resolve("empty"), "x", "x").read();
    assertEquals("turn 1 is outside run new's turns (it has none yet)",
        assertThrows(IllegalArgumentException.class, () -> RunAt.of(empty, 1, null, "new")).getMessage());
  }

  @Test
  void aTurnRecordedBeforeTurnsKeptTheirWorkspaceCanOnlyBeForkedAtTheEnd() {
    RecordedTurns run = new RecordedTurns(dir, "Old", "Old");
    run.legacyTurn(List.of(), reply("r1", bash("c1", "true")));
    run.legacyTurn(List.of(Message.toolResult("c1", "bash", "")), reply("r2"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunAt.of(run.read(), 1, null, "old"));
    assertTrue(e.getMessage().contains("recorded before Marathon kept each turn's workspace"), e.getMessage());
  }

  @Test
  void aForkStateAndARewindCarryThisMoment() {
    RecordedTurns run = threeTurns();
    RunState source = current(run);
    RunAt at = RunAt.of(run.read(), 1, source, "orig");
    Usage spent = new Usage(1, 2, 3, 4.0, 5);
    RunState fork = at.stateFor(spec("f-1"), source, spent);
    assertEquals("f-1", fork.spec.runId());
    assertEquals(at.contextRef(), fork.conversation.contextRef);
    assertEquals(at.observations(), fork.conversation.observations);
    assertEquals(1, fork.turn);
    assertEquals(2, fork.toolCalls);
    assertEquals(at.plan(), fork.plan);
    assertEquals(spent, fork.spending.usage);
    assertEquals(source.spending.budget, fork.spending.budget);
    assertEquals(8_000L, fork.conversation.contextWindow);
    assertEquals(null, fork.workspaceRef, "the fork's Begin puts its workspace at the snapshot");
    assertEquals(new Rewind(1, at.contextRef(), at.observations(), "ws-1", at.plan(), 2), at.rewind());
  }
}
