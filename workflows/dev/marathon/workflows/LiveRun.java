package dev.marathon.workflows;

import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.ContinueAsNewOptions;
import io.temporal.workflow.Functions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;

/**
 * The run as its workflow thread holds it: the state, the activity stubs, its role in a swarm, the
 * phase people see, and the moves every part of the loop makes the same way — publish, run a
 * cancellable activity, check the limits, pause, ask to stop. One per workflow run.
 *
 * <p>Every pause and every stop goes through here, so the side effects (sub-agents told, the
 * coordinator told, the activity in flight cancelled) happen in one order, which replay relies on.
 */
final class LiveRun {
  private static final Logger log = Workflow.getLogger(LiveRun.class);

  final RunState state;
  final ActivityStubs stubs;
  final Role role;
  final CoordinatorLink coordinator;
  final Notifier notifier;
  /** The phase people see; set when the run changes step (see {@link Phase#of}). */
  Phase phase = Phase.STARTING;
  /** A model call is in flight: a steering message sent now lands one turn later. */
  boolean thinking;
  /** The scope of the activity in flight; {@code cancel now} cancels it. */
  private CancellationScope inFlight;
  /** The run's own scope: a Temporal cancellation request shows up here. */
  private final CancellationScope root;
  private final SearchAttributeUpserts searchAttributes = new SearchAttributeUpserts();

  LiveRun(RunState state, CancellationScope root) {
    this.state = state;
    this.stubs = new ActivityStubs(state.spec.options());
    this.role = Role.of(state, stubs);
    this.coordinator = new CoordinatorLink(state);
    this.notifier = new Notifier(state, stubs);
    this.root = root;
  }

  void step(Phase.Step step) {
    phase = Phase.of(state.lifecycle, step);
  }

  /** Updates what the Web UI shows: current details always, search attributes when they changed. */
  void publish() {
    Workflow.setCurrentDetails(RunDetails.markdown(state, phase));
    searchAttributes.upsertChanged(state, phase);
  }

  /** Runs an activity call in a scope that {@code cancel now} can cancel. */
  <T> T cancellable(Functions.Func<T> call) {
    List<T> out = new ArrayList<>(1);
    inFlight = Workflow.newCancellationScope(() -> { out.add(call.apply()); });
    try {
      inFlight.run();
    } finally {
      inFlight = null;
    }
    return out.get(0);
  }

  // ---- limits, pauses, stops --------------------------------------------------------------

  /** Warns near a limit; at one, pauses the run or (a budget that ends at its limit) asks it to finish. */
  void checkLimits() {
    if (state.lifecycle.endRequested()) return; // wrapping up: grace turns
    BudgetCheck check = role.check((Workflow.currentTimeMillis() - state.spending.startedAtMillis) / 3_600_000.0);
    for (String name : check.near()) {
      if (!state.spending.warned.contains(name)) {
        state.spending.warned.add(name);
        state.conversation.notices.add(Notices.nearLimit(name));
      }
    }
    notifier.crossed(check);
    if (check.reached() != null && state.lifecycle instanceof Lifecycle.Running) {
      if (state.spending.budget.endsAtLimit()) {
        requestStop(Stop.Kind.FINISH, false, Notices.budgetEnds(check.reached()));
      } else {
        pauseFor(Pause.Cause.BUDGET, check.reached());
      }
    }
  }

  /** Every pause goes through here: while wrapping up, it ends the run at the boundary instead. */
  void pauseFor(Pause.Cause cause, String reason) {
    state.lifecycle = state.lifecycle.pausedFor(new Pause(cause, reason));
    log.info("run {} paused: {}", state.spec.runId(), reason);
    if (state.lifecycle instanceof Lifecycle.Ended) return;
    if (cause == Pause.Cause.BUDGET) role.pausedOnBudget(reason);
    coordinator.paused(cause, reason);
    notifier.paused(state.lifecycle.pause());
  }

  /** Waits until an operator unpauses, raises the budget, or asks the run to end. */
  void awaitOperator() {
    step(Phase.Step.WAITING);
    publish();
    Workflow.await(() -> !(state.lifecycle instanceof Lifecycle.Paused) || root.isCancelRequested());
    absorbTemporalCancel();
    coordinator.goesOn();
  }

  /** Turns a Temporal cancellation request (Web UI, temporal CLI) into a graceful cancel. */
  void absorbTemporalCancel() {
    if (root.isCancelRequested() && !(state.lifecycle instanceof Lifecycle.WrappingUp)) requestStop(Stop.Kind.CANCEL, false);
  }

  void requestStop(Stop.Kind kind, boolean now) {
    requestStop(kind, now, null);
  }

  /** @param notice what the agent is told, when not the operator's usual wrap-up request */
  void requestStop(Stop.Kind kind, boolean now, String notice) {
    if (state.lifecycle instanceof Lifecycle.Ended) return;
    boolean first = !(state.lifecycle instanceof Lifecycle.WrappingUp);
    int byTurn = state.turn + (thinking ? 1 : 0) + Stop.GRACE_TURNS;
    state.lifecycle = state.lifecycle.stopRequested(kind, now, byTurn);
    if (!(state.lifecycle instanceof Lifecycle.WrappingUp w)) throw new IllegalStateException("a stop request left " + state.lifecycle);
    if (first) state.conversation.notices.add(notice != null ? notice : Notices.wrapUp(w.stop().kind()));
    if (w.stop().now() && inFlight != null) inFlight.cancel();
    role.stopRequested(kind, w.stop().now());
  }

  /** The wrap-up is over without the agent's report. */
  void endByStop(Lifecycle.WrappingUp w) {
    state.lifecycle = w.endedByStop();
    boolean cancel = w.stop().kind() == Stop.Kind.CANCEL;
    String why = w.interruptedBy() != null
        ? "; the run could not go on while wrapping up: " + w.interruptedBy().reason()
        : cancel && w.stop().now() ? "." : "; the agent did not report within its grace turns.";
    state.summary = (cancel ? "Cancelled by an operator" : "Asked to finish") + why;
  }

  // ---- history size -------------------------------------------------------------------------

  /** Continues as new when Temporal suggests it or the history reached the run's own limit. */
  void continueAsNewIfDue() {
    WorkflowInfo info = Workflow.getInfo();
    if (info.isContinueAsNewSuggested()
        || info.getHistoryLength() >= state.spec.options().continueAsNewEvents()) {
      Workflow.await(() -> Workflow.isEveryHandlerFinished() && role.idle());
      notifier.carryOver();
      state.runsInChain++;
      log.info("run {} continues as new after {} events", state.spec.runId(), info.getHistoryLength());
      // The static summary and details stay with the first run (the SDK cannot pass them on);
      // the title goes on in the memo and in every run's current details.
      Workflow.continueAsNew(ContinueAsNewOptions.newBuilder()
          .setMemo(Map.of(MarathonSearchAttributes.TITLE_MEMO, state.spec.title())).build(), state);
    }
  }
}
