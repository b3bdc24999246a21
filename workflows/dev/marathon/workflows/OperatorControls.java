package dev.marathon.workflows;

import dev.marathon.workflows.api.KeepInput;
import io.temporal.workflow.Workflow;

/**
 * What an operator (CLI, Web UI, a coordinator) can ask of a running run, behind the workflow's
 * updates and signals: steer, change the budget, rewind, pause, unpause, finish, cancel. Each
 * only changes the state and says so; the loop acts on it at the next boundary.
 */
final class OperatorControls {
  private final LiveRun run;
  private final RunState state;

  OperatorControls(LiveRun run) {
    this.run = run;
    this.state = run.state;
  }

  void validateSteer(String message) {
    if (message == null || message.isBlank()) throw new IllegalArgumentException("empty message");
    if (message.length() > AgentWorkflow.MAX_STEER_CHARS) throw new IllegalArgumentException("message over 16 KiB; put long text in a file in the repo");
    if (state.lifecycle instanceof Lifecycle.Ended) throw new IllegalStateException("the run has ended");
    if (state.lifecycle instanceof Lifecycle.WrappingUp w) throw new IllegalStateException("the run is ending (" + w.stop().kind() + ")");
  }

  SteerReceipt steer(String message) {
    state.conversation.steering.add(message);
    run.publish();
    return new SteerReceipt(state.turn + (run.thinking ? 2 : 1), state.spec.runId());
  }

  Budget budget(Budget change) {
    state.spending.budget = state.spending.budget.changedBy(change);
    state.spending.warned.clear();
    state.lifecycle = state.lifecycle.budgetChanged(); // the limits are checked again at the boundary
    run.role.budgetChanged();
    run.publish();
    return state.spending.budget;
  }

  void validateRewind(Rewind to) {
    if (!(state.lifecycle instanceof Lifecycle.Paused)) {
      throw new IllegalStateException("the run is not paused: pause it first (./marathon pause " + state.spec.runId() + ")");
    }
    if (to.turn() < 1 || to.turn() > state.turn) throw new IllegalArgumentException("turn " + to.turn() + " is outside 1.." + state.turn);
    String problem = to.keepAs() == null ? null : KeepInput.branchProblem(to.keepAs(), state.spec.runId());
    if (problem != null) throw new IllegalArgumentException(problem);
    if (state.toKeep != null) {
      throw new IllegalStateException("the run has not kept the work its previous rewind went back over yet (on " + state.toKeep.branch()
          + "): it does before it goes on; unpause it (./marathon unpause " + state.spec.runId() + ") or see why it cannot (./marathon status)");
    }
  }

  Progress rewind(Rewind to) {
    // A worker before this change ignored keepAs (its CLI wrote the branch): replaying its rewinds keeps nothing.
    if (to.keepAs() != null && Workflow.getVersion(KeepInput.CHANGE, Workflow.DEFAULT_VERSION, 1) == 1) {
      state.toKeep = new KeepInput(state.spec.workspaceKey(), state.workspaceRef, to.keepAs(),
          "marathon: " + state.spec.runId() + " as it was before it was rewound to turn " + to.turn(), null);
    }
    state.goBackTo(to); // the next tool step restores the workspace to the turn's snapshot
    state.recordAction("rewound to turn " + to.turn());
    state.lifecycle = state.lifecycle.unpaused();
    run.publish();
    return Progress.of(state, run.phase);
  }

  void pause(String reason) {
    if (!(state.lifecycle instanceof Lifecycle.Running)) return;
    String why = reason == null || reason.isBlank() ? "paused by an operator" : reason;
    run.pauseFor(Pause.Cause.OPERATOR, why);
    run.role.operatorPaused(why);
  }

  void unpause() {
    Pause pause;
    if (state.lifecycle instanceof Lifecycle.Paused p) pause = p.pause();
    else if (state.lifecycle instanceof Lifecycle.WrappingUp w && w.interruptedBy() != null) pause = w.interruptedBy();
    else return;
    if (pause.cause() == Pause.Cause.STUCK) state.stuck.reset();
    state.lifecycle = state.lifecycle.unpaused();
    run.role.operatorUnpaused();
  }

  void finish() {
    run.requestStop(Stop.Kind.FINISH, false);
  }

  /** A second cancel is a cancel at once. */
  void cancel(boolean now) {
    boolean second = state.lifecycle instanceof Lifecycle.WrappingUp w && w.stop().kind() == Stop.Kind.CANCEL;
    run.requestStop(Stop.Kind.CANCEL, now || second);
  }
}
