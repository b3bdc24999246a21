package dev.marathon.workflows;

import static dev.marathon.workflows.ActivityFailures.describe;
import static dev.marathon.workflows.ActivityFailures.failureType;

import dev.marathon.workflows.api.Observation;
import dev.marathon.workflows.api.ToolBatch;
import dev.marathon.workflows.api.ToolBatchResult;
import dev.marathon.workflows.api.ToolCall;
import dev.marathon.workflows.api.ToolInput;
import dev.marathon.workflows.api.ToolResult;
import dev.marathon.workflows.api.WorkspaceFailures;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;

/**
 * The tools' side of a turn: the calls the model made, performed in order. Workspace calls run in
 * the tool activity (two or more in a row in one batch); the calls the workflow handles itself
 * ({@link ToolCall.Handled}) change the run directly; a coordinator's calls go to its swarm. A
 * broken workspace pauses the run between two calls, and the turn goes on from the pending one
 * afterwards ({@link TurnCalls}, {@link PendingCall}).
 */
final class Acting {
  private final LiveRun run;
  private final RunState state;
  /**
   * The turn in which a batch stopped early: the rest of its calls go one by one. Held by this
   * workflow run only, not carried across continue-as-new, exactly as the recorded histories
   * were made (a rewind back before it does not forget it either).
   */
  private int batchStoppedInTurn = -1;

  Acting(LiveRun run) {
    this.run = run;
    this.state = run.state;
  }

  /** Performs the turn's pending calls in order. Returns false when a pause interrupted the turn. */
  boolean act() {
    TurnCalls calls = state.calls;
    while (calls.inProgress()) {
      if (performBatch()) continue;
      ToolCall call = calls.pending.get(0);
      boolean again = calls.first instanceof PendingCall.Broken;
      if (calls.first instanceof PendingCall.NotStarted) state.toolCalls++;
      if (!again) calls.first = PendingCall.STARTED; // a broken mark stays until the call it is for is made again
      Observation result = perform(call, again);
      if (result == null) return false; // paused: the call stays pending, and the turn goes on after
      if (!calls.inProgress() || calls.pending.get(0) != call) return false; // rewound while it ran: that turn is gone
      calls.done();
      state.conversation.observations.add(result);
    }
    return true;
  }

  /**
   * The turn's calls are all done: what the turn did, to compare with the turns before it (each
   * call without its id, which differs every turn even when the call does not, and its result).
   */
  String closeTurn() {
    StringBuilder signature = new StringBuilder();
    for (int i = 0; i < state.calls.all.size(); i++) {
      ToolCall call = state.calls.all.get(i);
      Observation result = state.conversation.observations.get(i);
      signature.append(call.tool()).append(':').append(call.what())
          .append("->").append(result.ref() != null ? result.ref() : result.text()).append(';');
    }
    state.calls.clear();
    return signature.toString();
  }

  /**
   * Runs the leading workspace calls, when two or more come in a row, in one activity: one round
   * trip through Temporal for them instead of one each. Returns false when there are no such calls
   * or none of them was done; they then go one by one, which is also where a broken workspace
   * pauses the run, a cancelled call is rolled back, and a run that is ending skips them.
   */
  private boolean performBatch() {
    TurnCalls turn = state.calls;
    if (!(turn.first instanceof PendingCall.NotStarted) || batchStoppedInTurn == state.turn || state.lifecycle.endRequested()) return false;
    List<ToolCall.Workspace> calls = new ArrayList<>();
    for (ToolCall c : turn.pending) {
      if (!(c instanceof ToolCall.Workspace w)) break;
      calls.add(w);
    }
    if (calls.size() < 2 || Workflow.getVersion("tool-batches", Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION) return false;
    List<Integer> seconds = new ArrayList<>();
    for (ToolCall.Workspace c : calls) seconds.add(commandSeconds(c));
    ToolBatch batch = new ToolBatch(state.spec.workspaceKey(), state.conversation.contextRef, state.turn, state.conversation.observations.size(), state.workspaceRef, calls,
        seconds, state.spec.options().containment(), state.spec.model().apiKeyEnv(), state.mcpToolsRef);
    StringBuilder summary = new StringBuilder(calls.size() + " calls: ");
    for (ToolCall.Workspace c : calls) summary.append(c == calls.get(0) ? "" : " · ").append(c.display());
    ToolBatchResult done;
    try {
      int total = seconds.stream().mapToInt(Integer::intValue).sum();
      done = run.cancellable(() -> run.stubs.tools(summary.toString(), total).executeAll(batch));
    } catch (ActivityFailure | CanceledFailure f) {
      batchStoppedInTurn = state.turn;
      return false;
    }
    if (done.results().size() < calls.size()) batchStoppedInTurn = state.turn;
    for (ToolResult r : done.results()) {
      ToolCall.Workspace call = (ToolCall.Workspace) turn.done();
      state.toolCalls++;
      state.conversation.observations.add(applied(call, r));
    }
    return !done.results().isEmpty();
  }

  /**
   * One call's result, or null when the run paused before it could be made.
   *
   * @param again the call broke the workspace before the pause: it is made again
   */
  private Observation perform(ToolCall call, boolean again) {
    if (call instanceof ToolCall.Workspace w && again) {
      state.calls.first = PendingCall.STARTED;
      return state.lifecycle instanceof Lifecycle.WrappingUp ? notRunWhileEnding(w) : runTool(w);
    }
    if (state.lifecycle instanceof Lifecycle.Ended || state.lifecycle.stopsNow()) {
      state.recordAction(call.tool() + ": not run (the run ended)");
      return Observation.inline(call.id(), call.tool(), "Not run: the run ended before this call.");
    }
    if (call instanceof ToolCall.Handled h) return h.handle(state);
    if (call instanceof ToolCall.Rejected r) {
      state.recordAction(r.tool() + ": rejected · " + Text.oneLine(r.error(), 120));
      return Observation.inline(call.id(), call.tool(), r.error());
    }
    if (call instanceof ToolCall.Workspace w) return runTool(w);
    if (!(run.role instanceof SwarmCoordinator swarm)) {
      return Observation.inline(call.id(), call.tool(), "Error: " + call.tool() + " is for a swarm's coordinator.");
    }
    if (call instanceof ToolCall.SpawnAgents spawn) return swarm.spawn(spawn);
    if (call instanceof ToolCall.AgentStatus status) return swarm.status(status);
    return waitForAgents(swarm, (ToolCall.WaitAgents) call);
  }

  /** Waits for sub-agents and merges their work; a failed merge pauses the run, and the wait is made again after. */
  private Observation waitForAgents(SwarmCoordinator swarm, ToolCall.WaitAgents call) {
    state.calls.first = PendingCall.STARTED; // made again after a failed merge
    run.step(Phase.Step.ACTING);
    run.publish();
    try {
      return swarm.await(call, () -> state.lifecycle.stopsNow(), () -> {
        run.checkLimits(); // the swarm's budget, as the survey found it
        run.publish();
        run.continueAsNewIfDue(); // a long wait must not grow one run's history without bound
      });
    } catch (ActivityFailure f) {
      run.pauseFor(WorkspaceFailures.STORE_CORRUPT.equals(failureType(f)) ? Pause.Cause.STORE_ERROR : Pause.Cause.WORKSPACE_ERROR,
          "merging the sub-agents' work failed: " + describe(f));
      state.calls.first = PendingCall.BROKEN;
      return null;
    }
  }

  /** Runs a workspace tool; a broken workspace pauses the run until an operator fixes it. */
  private Observation runTool(ToolCall.Workspace call) {
    int seconds = commandSeconds(call);
    String stepId = state.turn + "." + (state.conversation.observations.size() + 1);
    try {
      ToolInput input = new ToolInput(state.spec.workspaceKey(), state.conversation.contextRef, stepId, state.workspaceRef, call, seconds,
          state.spec.options().containment(), state.spec.model().apiKeyEnv(), state.mcpToolsRef);
      return applied(call, run.cancellable(() -> run.stubs.tools(call.display(), seconds).execute(input)));
    } catch (ActivityFailure | CanceledFailure f) {
      if (state.lifecycle instanceof Lifecycle.WrappingUp) return notRunWhileEnding(call);
      Pause.Cause cause = WorkspaceFailures.STORE_CORRUPT.equals(failureType(f)) ? Pause.Cause.STORE_ERROR : Pause.Cause.WORKSPACE_ERROR;
      run.pauseFor(cause, "tool " + call.display() + " failed: " + describe(f));
      state.calls.first = PendingCall.BROKEN;
      return null;
    }
  }

  /** A finished call's result: the workspace is now at its snapshot; its result goes to the model. */
  private Observation applied(ToolCall.Workspace call, ToolResult r) {
    state.workspaceRef = r.workspaceRef();
    state.recordAction(call.display() + " → " + r.summary());
    return Observation.stored(call.id(), call.tool(), r.observationRef(), r.observationChars());
  }

  private Observation notRunWhileEnding(ToolCall.Workspace call) {
    state.recordAction(call.display() + " → not run (the run is ending)");
    return Observation.inline(call.id(), call.tool(), "Not run: the run is ending.");
  }

  private int commandSeconds(ToolCall.Workspace call) {
    RunOptions o = state.spec.options();
    int asked = call.timeoutSeconds() > 0 ? call.timeoutSeconds() : o.defaultCommandSeconds();
    return Math.min(asked, o.maxCommandSeconds());
  }
}
