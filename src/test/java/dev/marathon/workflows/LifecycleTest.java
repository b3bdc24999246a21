package dev.marathon.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.runtime.DataConverters;
import dev.marathon.workflows.Lifecycle.Stage;
import io.temporal.common.converter.DataConverter;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The run's lifecycle, transition by transition, without Temporal. */
class LifecycleTest {
  static final Pause STUCK = new Pause(Pause.Cause.STUCK, "repeating");
  static final Pause BUDGET = new Pause(Pause.Cause.BUDGET, "turn budget reached");

  @Test
  void aPauseWaitsForAnOperatorAndAnUnpauseGoesOn() {
    Lifecycle paused = Lifecycle.RUNNING.pausedFor(STUCK);
    assertEquals(Stage.PAUSED, paused.stage());
    assertEquals(STUCK, paused.pause());
    assertEquals(BUDGET, paused.pausedFor(BUDGET).pause(), "a later pause says why it waits now");
    assertSame(Lifecycle.RUNNING, paused.unpaused());
    assertSame(Lifecycle.RUNNING, Lifecycle.RUNNING.unpaused());
  }

  @Test
  void onlyABudgetPauseIsLiftedByANewBudget() {
    assertEquals(Stage.RUNNING, Lifecycle.RUNNING.pausedFor(BUDGET).budgetChanged().stage());
    assertEquals(Stage.PAUSED, Lifecycle.RUNNING.pausedFor(STUCK).budgetChanged().stage());
  }

  @Test
  void askingToEndLiftsAPauseAndASecondCancelKeepsTheFirstDeadline() {
    Lifecycle wrapping = Lifecycle.RUNNING.pausedFor(STUCK).stopRequested(Stop.Kind.FINISH, false, 13);
    assertEquals(Stage.WRAPPING_UP, wrapping.stage());
    assertNull(wrapping.pause());
    assertEquals(new Stop(Stop.Kind.FINISH, 13, false), wrapping.stop());
    Lifecycle cancelled = wrapping.stopRequested(Stop.Kind.CANCEL, false, 99);
    assertEquals(new Stop(Stop.Kind.CANCEL, 13, false), cancelled.stop(), "the deadline stays");
    assertEquals(new Stop(Stop.Kind.CANCEL, 13, true), cancelled.stopRequested(Stop.Kind.FINISH, true, 99).stop(),
        "a cancel stays a cancel; now only turns on");
  }

  @Test
  void aRunThatCannotGoOnWhileWrappingUpEndsAtTheBoundaryInsteadOfWaiting() {
    Lifecycle.WrappingUp w = (Lifecycle.WrappingUp) Lifecycle.RUNNING.stopRequested(Stop.Kind.FINISH, false, 10);
    assertFalse(w.mustEndAt(9));
    assertTrue(w.mustEndAt(10), "the grace turns are over");
    Lifecycle.WrappingUp interrupted = (Lifecycle.WrappingUp) w.pausedFor(STUCK);
    assertEquals(Stage.WRAPPING_UP, interrupted.stage());
    assertTrue(interrupted.mustEndAt(1));
    assertEquals(RunOutcome.INCOMPLETE, interrupted.endedByStop().outcome());
    assertFalse(((Lifecycle.WrappingUp) interrupted.unpaused()).mustEndAt(1), "an unpause clears the interruption");
  }

  @Test
  void theAgentsFinishEndsARunAsFinishedOrAsCancelledWhenItWasBeingCancelled() {
    assertEquals(RunOutcome.FINISHED, Lifecycle.RUNNING.finishedByAgent().outcome());
    assertEquals(RunOutcome.FINISHED, Lifecycle.RUNNING.stopRequested(Stop.Kind.FINISH, false, 3).finishedByAgent().outcome());
    assertEquals(RunOutcome.CANCELLED, Lifecycle.RUNNING.stopRequested(Stop.Kind.CANCEL, false, 3).finishedByAgent().outcome());
    assertEquals(RunOutcome.CANCELLED, Lifecycle.RUNNING.stopRequested(Stop.Kind.CANCEL, true, 3).endedByStop().outcome());
  }

  @Test
  void anEndedRunStaysEnded() {
    Lifecycle ended = Lifecycle.RUNNING.finishedByAgent();
    assertSame(ended, ended.pausedFor(STUCK));
    assertSame(ended, ended.stopRequested(Stop.Kind.CANCEL, true, 1));
    assertSame(ended, ended.unpaused());
    assertEquals(Phase.FINISHED, Phase.of(ended, Phase.Step.CLOSING));
  }

  @Test
  void thePhaseShowsTheStageAndTheStep() {
    Lifecycle wrapping = Lifecycle.RUNNING.stopRequested(Stop.Kind.FINISH, false, 3);
    assertEquals(Phase.THINKING, Phase.of(Lifecycle.RUNNING, Phase.Step.THINKING));
    assertEquals(Phase.WRAPPING_UP, Phase.of(wrapping, Phase.Step.ACTING));
    assertEquals(Phase.COMPACTING, Phase.of(wrapping, Phase.Step.COMPACTING));
    assertEquals(Phase.PAUSED, Phase.of(Lifecycle.RUNNING.pausedFor(STUCK), Phase.Step.WAITING));
  }

  @Test
  void everyStageTravelsThroughTemporalPayloadsAsItself() {
    DataConverter converter = DataConverters.marathon();
    for (Lifecycle l : new Lifecycle[] {
        Lifecycle.RUNNING, Lifecycle.RUNNING.pausedFor(BUDGET),
        Lifecycle.RUNNING.stopRequested(Stop.Kind.CANCEL, true, 4).pausedFor(STUCK), Lifecycle.RUNNING.finishedByAgent()}) {
      Optional<io.temporal.api.common.v1.Payload> p = converter.toPayload(l);
      assertEquals(l, converter.fromPayload(p.orElseThrow(), Lifecycle.class, Lifecycle.class));
    }
  }

  @Test
  void theThreeFieldsOfEarlierVersionsBecomeOneLifecycle() {
    assertSame(Lifecycle.RUNNING, Lifecycle.fromLegacy(null, null, null));
    assertEquals(new Lifecycle.Paused(STUCK), Lifecycle.fromLegacy(STUCK, null, null));
    Stop stop = new Stop(Stop.Kind.FINISH, 7, false);
    assertEquals(new Lifecycle.WrappingUp(stop, null), Lifecycle.fromLegacy(null, stop, null));
    assertEquals(new Lifecycle.WrappingUp(stop, STUCK), Lifecycle.fromLegacy(STUCK, stop, null), "pause and stop: interrupted");
    assertEquals(new Lifecycle.Ended(RunOutcome.CANCELLED), Lifecycle.fromLegacy(null, null, RunOutcome.CANCELLED));
  }
}
