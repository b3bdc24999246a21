package dev.marathon.workflows;

import dev.marathon.workflows.api.BeginInput;
import dev.marathon.workflows.api.BeginResult;
import dev.marathon.workflows.api.CommitInput;
import dev.marathon.workflows.api.CompactInput;
import dev.marathon.workflows.api.CompactResult;
import dev.marathon.workflows.api.ModelFailures;
import dev.marathon.workflows.api.Observation;
import dev.marathon.workflows.api.ThinkInput;
import dev.marathon.workflows.api.ThinkResult;
import dev.marathon.workflows.api.ToolCall;
import dev.marathon.workflows.api.ToolInput;
import dev.marathon.workflows.api.ToolResult;
import dev.marathon.workflows.api.WorkspaceKey;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
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
 * The agent loop: check limits → wait while paused → think → act → compact / continue-as-new.
 * Deterministic: everything that touches the world is an activity, everything large is a ref.
 */
public final class AgentWorkflowImpl implements AgentWorkflow {
  private static final Logger log = Workflow.getLogger(AgentWorkflowImpl.class);
  /** Recent turns that compaction keeps verbatim, reasoning included. */
  private static final int KEEP_TURNS_ON_COMPACT = 8;

  private RunState state;
  private ActivityStubs stubs;
  private Phase phase = Phase.STARTING;
  /** A model call is in flight: a steering message sent now lands one turn later. */
  private boolean thinking;
  /** The scope of the activity in flight; {@code cancel now} cancels it. */
  private CancellationScope inFlight;
  private final Published published = new Published();
  /** The run's own scope: a Temporal cancellation request shows up here. */
  private CancellationScope root;

  @Override
  public RunReport run(RunState initial) {
    state = initial;
    stubs = new ActivityStubs(state.spec.options());
    root = CancellationScope.current();
    // A cancellation from the Web UI or `temporal workflow cancel` is graceful: it becomes a
    // wrap-up request. So the loop runs in a scope that the cancellation itself does not reach.
    RunReport[] report = new RunReport[1];
    Workflow.newDetachedCancellationScope(() -> report[0] = drive()).run();
    return report[0];
  }

  private RunReport drive() {
    if (state.startedAtMillis == 0) state.startedAtMillis = Workflow.currentTimeMillis();
    if (!state.begun()) begin();
    while (state.outcome == null) {
      absorbTemporalCancel();
      checkLimits();
      if (state.pause != null && state.stop != null) {
        endByStop(); // paused again while wrapping up (model or workspace broken, agent stuck): end now
        break;
      }
      if (state.pause != null) {
        awaitOperator();
        continue;
      }
      if (stopIsDue()) {
        endByStop();
        break;
      }
      ThinkResult thought = think();
      if (thought != null) act(thought);
      if (state.outcome == null) {
        compactIfNearWindow();
        continueAsNewIfDue();
      }
    }
    return close();
  }

  // ---- the steps of a turn ------------------------------------------------------------------

  private void begin() {
    publish();
    BeginResult begun =
        stubs.workspace("begin: worktree on " + state.spec.branch())
            .begin(new BeginInput(workspaceKey(), state.spec.title(), state.task));
    state.contextRef = begun.contextRef();
    state.workspaceRef = begun.workspaceRef();
    state.baseCommit = begun.baseCommit();
    state.task = null; // now in the first checkpoint; keep it out of every later run's input
  }

  /** One model turn. Returns null when the turn could not happen (paused, compacted, stopped). */
  private ThinkResult think() {
    phase = state.stop != null ? Phase.WRAPPING_UP : Phase.THINKING;
    publish();
    // Handlers may add messages while the model thinks: only those sent now are cleared after.
    int steeringCount = state.steering.size();
    int noticeCount = state.notices.size();
    List<String> messages = new ArrayList<>();
    for (String s : state.steering) messages.add("Message from the operator: " + s);
    messages.addAll(state.notices);
    int turn = state.turn + 1;
    ThinkInput input =
        new ThinkInput(state.spec.runId(), turn, state.contextRef,
            List.copyOf(state.observations), messages, state.spec.model());
    thinking = true;
    try {
      ThinkResult r =
          cancellable(() -> stubs.model("model: turn " + turn + " (" + state.spec.model().model() + ")").think(input));
      state.turn = turn;
      state.contextRef = r.contextRef();
      state.usage = state.usage.plus(r.usage());
      state.observations.clear();
      state.steering.subList(0, steeringCount).clear();
      state.notices.subList(0, noticeCount).clear();
      return r;
    } catch (ActivityFailure | CanceledFailure f) {
      onModelFailure(f);
      return null;
    } finally {
      thinking = false;
    }
  }

  private void act(ThinkResult thought) {
    phase = state.stop != null ? Phase.WRAPPING_UP : Phase.ACTING;
    StringBuilder signature = new StringBuilder();
    if (thought.calls().isEmpty()) {
      state.notices.add(Notices.NO_TOOL_CALL);
      signature.append("reply:").append(thought.reply());
    }
    for (ToolCall call : thought.calls()) {
      state.toolCalls++;
      Observation result = perform(call);
      state.observations.add(result);
      signature.append(call.tool()).append(':').append(StuckDetector.what(call))
          .append("->").append(result.ref() != null ? result.ref() : result.text()).append(';');
    }
    if (state.outcome == null) noticeRepetition(signature.toString());
    publish();
  }

  private Observation perform(ToolCall call) {
    if (state.outcome != null || (state.stop != null && state.stop.now())) {
      state.recordAction(call.tool() + ": not run (the run ended)");
      return Observation.inline(call.id(), call.tool(), "Not run: the run ended before this call.");
    }
    if (call instanceof ToolCall.UpdatePlan p) {
      state.plan = new ArrayList<>(p.steps());
      state.recordAction("update_plan: " + p.steps().size() + " steps");
      return Observation.inline(call.id(), call.tool(), "Plan updated (" + p.steps().size() + " steps).");
    }
    if (call instanceof ToolCall.Finish f) {
      boolean cancelling = state.stop != null && state.stop.kind() == Stop.Kind.CANCEL;
      state.outcome = cancelling ? RunOutcome.CANCELLED : RunOutcome.FINISHED;
      state.summary = f.summary();
      state.recordAction("finish");
      return Observation.inline(call.id(), call.tool(), "Run finished.");
    }
    if (call instanceof ToolCall.Rejected r) {
      state.recordAction(r.tool() + ": rejected · " + Text.oneLine(r.error(), 120));
      return Observation.inline(call.id(), call.tool(), r.error());
    }
    return runTool((ToolCall.Workspace) call);
  }

  /** Runs a workspace tool; a broken workspace pauses the run until an operator fixes it. */
  private Observation runTool(ToolCall.Workspace call) {
    int seconds = commandSeconds(call);
    String stepId = state.turn + "." + (state.observations.size() + 1);
    while (true) {
      try {
        ToolInput input = new ToolInput(workspaceKey(), stepId, state.workspaceRef, call, seconds);
        ToolResult r = cancellable(() -> stubs.tools(call.display(), seconds).execute(input));
        state.workspaceRef = r.workspaceRef();
        state.recordAction(call.display() + " → " + r.summary());
        return Observation.stored(call.id(), call.tool(), r.observationRef(), r.observationChars());
      } catch (ActivityFailure | CanceledFailure f) {
        if (state.stop == null) {
          pauseFor(Pause.Cause.WORKSPACE_ERROR, "tool " + call.display() + " failed: " + describe(f));
          awaitOperator();
        }
        if (state.stop != null) {
          state.recordAction(call.display() + " → not run (the run is ending)");
          return Observation.inline(call.id(), call.tool(), "Not run: the run is ending.");
        }
      }
    }
  }

  private int commandSeconds(ToolCall.Workspace call) {
    RunOptions o = state.spec.options();
    int asked = call.timeoutSeconds() > 0 ? call.timeoutSeconds() : o.defaultCommandSeconds();
    return Math.min(asked, o.maxCommandSeconds());
  }

  private void noticeRepetition(String signature) {
    switch (state.stuck.observe(signature)) {
      case WARN -> state.notices.add(Notices.REPEATING);
      case PAUSE -> pauseFor(Pause.Cause.STUCK,
          "the agent repeated the same action " + state.stuck.repeats + " times without progress");
      case PROGRESS -> { }
    }
  }

  // ---- limits, pauses, stops --------------------------------------------------------------

  private void checkLimits() {
    if (state.stop != null) return; // wrapping up: the agent may use its grace turns
    double hours = (Workflow.currentTimeMillis() - state.startedAtMillis) / 3_600_000.0;
    BudgetCheck check = BudgetCheck.of(state.budget, state.turn, state.usage, hours);
    for (String name : check.near()) {
      if (!state.warned.contains(name)) {
        state.warned.add(name);
        state.notices.add(Notices.nearLimit(name));
      }
    }
    if (check.reached() != null && state.pause == null) pauseFor(Pause.Cause.BUDGET, check.reached());
  }

  private void pauseFor(Pause.Cause cause, String reason) {
    state.pause = new Pause(cause, reason);
    log.info("run {} paused: {}", state.spec.runId(), reason);
  }

  /** Waits until an operator unpauses, raises the budget, or asks the run to end. */
  private void awaitOperator() {
    phase = Phase.PAUSED;
    publish();
    Workflow.await(() -> state.pause == null || state.stop != null || root.isCancelRequested());
    absorbTemporalCancel();
  }

  /** Turns a Temporal cancellation request (Web UI, temporal CLI) into a graceful cancel. */
  private void absorbTemporalCancel() {
    if (root.isCancelRequested() && state.stop == null) requestStop(Stop.Kind.CANCEL, false);
  }

  private void requestStop(Stop.Kind kind, boolean now) {
    if (state.outcome != null) return;
    Stop previous = state.stop;
    Stop.Kind k = previous != null && previous.kind() == Stop.Kind.CANCEL ? Stop.Kind.CANCEL : kind;
    int byTurn = previous != null ? previous.byTurn() : state.turn + (thinking ? 1 : 0) + Stop.GRACE_TURNS;
    state.stop = new Stop(k, byTurn, now || (previous != null && previous.now()));
    state.pause = null;
    if (previous == null) state.notices.add(Notices.wrapUp(k));
    if (state.stop.now() && inFlight != null) inFlight.cancel();
  }

  private boolean stopIsDue() {
    return state.stop != null && (state.stop.now() || state.turn >= state.stop.byTurn());
  }

  private void endByStop() {
    boolean cancel = state.stop.kind() == Stop.Kind.CANCEL;
    state.outcome = cancel ? RunOutcome.CANCELLED : RunOutcome.INCOMPLETE;
    state.summary = cancel
        ? "Cancelled by an operator" + (state.stop.now() ? "." : "; the agent did not report within its grace turns.")
        : "Asked to finish; the agent did not report within its grace turns.";
  }

  // ---- context and history size -------------------------------------------------------------

  /** Compacts when the next prompt (the conversation plus what the next turn adds) nears the window. */
  private void compactIfNearWindow() {
    long window = state.spec.model().contextWindow();
    if (window > 0 && nextPromptTokens() * 100 >= window * state.spec.options().compactAtPercent()) compact();
  }

  private long nextPromptTokens() {
    long chars = 0;
    for (Observation o : state.observations) chars += o.chars();
    for (String s : state.steering) chars += s.length();
    for (String n : state.notices) chars += n.length();
    return state.usage.contextTokens() + chars / 4;
  }

  /** Returns true when the conversation got shorter; on any failure the old context stays. */
  private boolean compact() {
    phase = Phase.COMPACTING;
    publish();
    long window = state.spec.model().contextWindow();
    CompactInput input = new CompactInput(state.spec.runId(), state.turn, state.contextRef,
        window > 0 ? window / 2 : 0, KEEP_TURNS_ON_COMPACT, List.copyOf(state.plan), state.spec.model());
    try {
      CompactResult r = cancellable(() -> stubs.model("compact: turn " + state.turn).compact(input));
      if (r.contextRef().equals(state.contextRef)) {
        state.usage = state.usage.plus(r.usage().withContextTokens(state.usage.contextTokens()));
        return false;
      }
      state.usage = state.usage.plus(r.usage());
      state.contextRef = r.contextRef();
      state.compactions++;
      return true;
    } catch (ActivityFailure | CanceledFailure f) {
      log.warn("compaction failed, keeping the old context: {}", describe(f));
      return false;
    }
  }

  private void onModelFailure(TemporalFailure f) {
    if (state.stop != null && state.stop.now()) return;
    String type = failureType(f);
    if (ModelFailures.CONTEXT_OVERFLOW.equals(type)) {
      if (!compact()) pauseFor(Pause.Cause.MODEL_ERROR,
          "the conversation no longer fits the context window and compaction could not shrink it: " + describe(f));
      return;
    }
    pauseFor(Pause.Cause.MODEL_ERROR, describe(f));
  }

  private void continueAsNewIfDue() {
    WorkflowInfo info = Workflow.getInfo();
    if (info.isContinueAsNewSuggested()
        || info.getHistoryLength() >= state.spec.options().continueAsNewEvents()) {
      Workflow.await(Workflow::isEveryHandlerFinished);
      state.runsInChain++;
      log.info("run {} continues as new after {} events", state.spec.runId(), info.getHistoryLength());
      // The static summary and details stay with the first run (the SDK cannot pass them on);
      // the title goes on in the memo and in every run's current details.
      Workflow.continueAsNew(ContinueAsNewOptions.newBuilder()
          .setMemo(Map.of(MarathonSearchAttributes.TITLE_MEMO, state.spec.title())).build(), state);
    }
  }

  // ---- the end ------------------------------------------------------------------------------

  private RunReport close() {
    phase = state.outcome.phase();
    String message = "marathon: " + state.spec.title() + "\n\n" + (state.summary == null ? "" : state.summary)
        + "\n\nRun " + state.spec.runId() + " ended " + state.outcome.name().toLowerCase(java.util.Locale.ROOT)
        + " after " + state.turn + " turns and " + state.toolCalls + " tool calls.";
    String head = null;
    try {
      head = stubs.workspace("commit: " + state.spec.branch())
          .commit(new CommitInput(workspaceKey(), state.workspaceRef, message)).head();
    } catch (ActivityFailure f) {
      state.summary = (state.summary == null ? "" : state.summary + "\n\n")
          + "Marathon could not commit the final workspace: " + describe(f);
    }
    publish();
    return new RunReport(state.outcome, state.summary, state.spec.branch(), head, Progress.of(state, phase));
  }

  // ---- queries, updates, signals ------------------------------------------------------------

  @Override
  public Progress progress() {
    return Progress.of(state, phase);
  }

  @Override
  public RunState state() {
    return state;
  }

  @Override
  public void validateSteer(String message) {
    if (message == null || message.isBlank()) throw new IllegalArgumentException("empty message");
    if (message.length() > 16_384) throw new IllegalArgumentException("message over 16 KiB; put long text in a file in the repo");
    if (state == null || state.outcome != null) throw new IllegalStateException("the run has ended");
    if (state.stop != null) throw new IllegalStateException("the run is ending (" + state.stop.kind() + ")");
  }

  @Override
  public SteerReceipt steer(String message) {
    state.steering.add(message);
    publish();
    return new SteerReceipt(state.turn + (thinking ? 2 : 1), state.spec.runId());
  }

  @Override
  public Budget budget(Budget change) {
    state.budget = state.budget.raisedBy(change);
    state.warned.clear();
    if (state.pause != null && state.pause.cause() == Pause.Cause.BUDGET) state.pause = null; // re-checked at the boundary
    publish();
    return state.budget;
  }

  @Override
  public void pause(String reason) {
    if (state.outcome != null || state.stop != null || state.pause != null) return;
    pauseFor(Pause.Cause.OPERATOR, reason == null || reason.isBlank() ? "paused by an operator" : reason);
  }

  @Override
  public void unpause() {
    if (state.pause == null) return;
    if (state.pause.cause() == Pause.Cause.STUCK) state.stuck.reset();
    state.pause = null;
  }

  @Override
  public void finish() {
    requestStop(Stop.Kind.FINISH, false);
  }

  @Override
  public void cancel(boolean now) {
    boolean second = state.stop != null && state.stop.kind() == Stop.Kind.CANCEL;
    requestStop(Stop.Kind.CANCEL, now || second);
  }

  // ---- plumbing -----------------------------------------------------------------------------

  /** Runs an activity call in a scope that {@code cancel now} can cancel. */
  private <T> T cancellable(Functions.Func<T> call) {
    List<T> out = new ArrayList<>(1);
    inFlight = Workflow.newCancellationScope(() -> { out.add(call.apply()); });
    try {
      inFlight.run();
    } finally {
      inFlight = null;
    }
    return out.get(0);
  }

  private WorkspaceKey workspaceKey() {
    return new WorkspaceKey(state.spec.runId(), state.spec.repo(), state.spec.branch());
  }

  /** Updates what the Web UI shows: current details always, search attributes when they changed. */
  private void publish() {
    Workflow.setCurrentDetails(RunDetails.markdown(state, phase));
    published.upsertIfChanged(state, phase);
  }

  private static String failureType(Throwable f) {
    for (Throwable t = f; t != null; t = t.getCause()) {
      if (t instanceof ApplicationFailure a) return a.getType();
    }
    return null;
  }

  /** The innermost meaningful message of a failure chain, for an operator. */
  static String describe(Throwable f) {
    String message = f.getMessage();
    for (Throwable t = f; t != null; t = t.getCause()) {
      if (t instanceof ApplicationFailure a) return a.getOriginalMessage();
      if (t.getMessage() != null) message = t.getMessage();
    }
    return message;
  }
}
