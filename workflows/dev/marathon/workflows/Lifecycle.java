package dev.marathon.workflows;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Where a run is in its life: running · paused (waiting for an operator) · wrapping up (asked to
 * end, with a few grace turns) · ended. Every change goes through a named transition here, so the
 * rules (an operator's pause does not interrupt a wrap-up; a second cancel is immediate; ...) live
 * in one place and are tested without Temporal. The workflow's loop is a switch over {@link
 * #stage()}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "stage")
@JsonSubTypes({
  @JsonSubTypes.Type(value = Lifecycle.Running.class, name = "running"),
  @JsonSubTypes.Type(value = Lifecycle.Paused.class, name = "paused"),
  @JsonSubTypes.Type(value = Lifecycle.WrappingUp.class, name = "wrapping-up"),
  @JsonSubTypes.Type(value = Lifecycle.Ended.class, name = "ended")
})
public sealed interface Lifecycle {

  enum Stage {
    RUNNING,
    PAUSED,
    WRAPPING_UP,
    ENDED
  }

  Lifecycle RUNNING = new Running();

  Stage stage();

  /** The agent works, turn after turn. */
  record Running() implements Lifecycle {
    @Override
    public Stage stage() {
      return Stage.RUNNING;
    }
  }

  /** The run waits, durably and costing nothing, until an operator lets it go on or end. */
  record Paused(Pause pause) implements Lifecycle {
    @Override
    public Stage stage() {
      return Stage.PAUSED;
    }
  }

  /**
   * An operator asked the run to end; the agent has until {@code stop.byTurn()} to report.
   *
   * @param interruptedBy set when the run could not go on while wrapping up (the model or the
   *     workspace broke, or the agent got stuck): it then ends at the next turn boundary instead
   *     of waiting for an operator, who already asked it to end
   */
  record WrappingUp(Stop stop, Pause interruptedBy) implements Lifecycle {
    @Override
    public Stage stage() {
      return Stage.WRAPPING_UP;
    }

    /** Whether the run must end at this turn boundary. */
    public boolean mustEndAt(int turn) {
      return interruptedBy != null || stop.now() || turn >= stop.byTurn();
    }
  }

  /** The run is over; the workflow closes it (a final commit and the report). */
  record Ended(RunOutcome outcome) implements Lifecycle {
    @Override
    public Stage stage() {
      return Stage.ENDED;
    }
  }

  // ---- transitions ----------------------------------------------------------------------

  /** The run cannot (or must not) go on without an operator. While wrapping up, it ends instead. */
  default Lifecycle pausedFor(Pause pause) {
    return switch (stage()) {
      case RUNNING, PAUSED -> new Paused(pause);
      case WRAPPING_UP -> new WrappingUp(((WrappingUp) this).stop(), pause);
      case ENDED -> this;
    };
  }

  /** An operator let a paused run go on. */
  default Lifecycle unpaused() {
    return switch (stage()) {
      case PAUSED -> RUNNING;
      case WRAPPING_UP -> new WrappingUp(((WrappingUp) this).stop(), null);
      case RUNNING, ENDED -> this;
    };
  }

  /** A new budget lifts a budget pause (the limits are checked again at the next boundary). */
  default Lifecycle budgetChanged() {
    Pause p = pause();
    if (p == null || p.cause() != Pause.Cause.BUDGET) return this;
    return unpaused();
  }

  /**
   * An operator asked the run to end: it wraps up within {@code byTurn}. Asked again, a cancel
   * stays a cancel, the deadline stays, and {@code now} only ever turns on. Ending lifts a pause.
   */
  default Lifecycle stopRequested(Stop.Kind kind, boolean now, int byTurn) {
    return switch (stage()) {
      case RUNNING, PAUSED -> new WrappingUp(new Stop(kind, byTurn, now), null);
      case WRAPPING_UP -> {
        Stop previous = ((WrappingUp) this).stop();
        Stop.Kind k = previous.kind() == Stop.Kind.CANCEL ? Stop.Kind.CANCEL : kind;
        yield new WrappingUp(new Stop(k, previous.byTurn(), now || previous.now()), null);
      }
      case ENDED -> this;
    };
  }

  /** The agent called {@code finish}: a finished run, or a cancelled one if it was being cancelled. */
  default Lifecycle finishedByAgent() {
    if (stage() == Stage.ENDED) return this;
    Stop s = stop();
    return new Ended(s != null && s.kind() == Stop.Kind.CANCEL ? RunOutcome.CANCELLED : RunOutcome.FINISHED);
  }

  /** The wrap-up is over without the agent's report: cancelled, or incomplete. */
  default Lifecycle endedByStop() {
    Stop s = stop();
    if (s == null) return this;
    return new Ended(s.kind() == Stop.Kind.CANCEL ? RunOutcome.CANCELLED : RunOutcome.INCOMPLETE);
  }

  // ---- views ----------------------------------------------------------------------------

  /** Asked to end (wrapping up) or ended: the limits no longer pause it, batches no longer start. */
  default boolean endRequested() {
    return this instanceof WrappingUp || this instanceof Ended;
  }

  /** Asked to end at once: the activity in flight is cancelled and the calls left are not run. */
  default boolean stopsNow() {
    return this instanceof WrappingUp w && w.stop().now();
  }

  // The nullable views below are for display (Progress, RunDetails, Phase); the loop reads the
  // lifecycle by pattern matching.

  /** Why the run waits for an operator, or null. */
  default Pause pause() {
    if (this instanceof Paused p) return p.pause();
    if (this instanceof WrappingUp w) return w.interruptedBy();
    return null;
  }

  /** The operator's request to end, or null. */
  default Stop stop() {
    return this instanceof WrappingUp w ? w.stop() : null;
  }

  /** How the run ended, or null while it has not. */
  default RunOutcome outcome() {
    return this instanceof Ended e ? e.outcome() : null;
  }

  /**
   * The state as runs carried it before commit cc3df7c of 2026-11-30: three nullable fields. Both a
   * pause and a stop meant "could not go on while wrapping up".
   */
  static Lifecycle fromLegacy(Pause pause, Stop stop, RunOutcome outcome) {
    if (outcome != null) return new Ended(outcome);
    if (stop != null) return new WrappingUp(stop, pause);
    if (pause != null) return new Paused(pause);
    return RUNNING;
  }
}
