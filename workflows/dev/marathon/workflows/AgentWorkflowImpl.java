package dev.marathon.workflows;

import dev.marathon.workflows.api.CommitInput;
import dev.marathon.workflows.api.CommitResult;
import dev.marathon.workflows.api.CompactInput;
import dev.marathon.workflows.api.CompactResult;
import dev.marathon.workflows.api.CreateRunInput;
import dev.marathon.workflows.api.CreateRunResult;
import dev.marathon.workflows.api.ModelFailures;
import dev.marathon.workflows.api.Observation;
import dev.marathon.workflows.api.ThinkInput;
import dev.marathon.workflows.api.ThinkResult;
import dev.marathon.workflows.api.ToolBatch;
import dev.marathon.workflows.api.ToolBatchResult;
import dev.marathon.workflows.api.ToolCall;
import dev.marathon.workflows.api.ToolInput;
import dev.marathon.workflows.api.ToolResult;
import dev.marathon.workflows.api.WorkspaceFailures;
import dev.marathon.workflows.api.WorkspaceKey;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.ContinueAsNewOptions;
import io.temporal.workflow.Functions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;

/**
 * The agent loop: check limits → wait while paused → think → act → compact / continue-as-new.
 * Deterministic: everything that touches the world is an activity, everything large is a ref.
 * How one turn flows through the activities is drawn in docs/architecture.md.
 *
 * <p>Runs recorded by earlier versions replay against this code (ReplayTest), so the points where
 * it upserts search attributes and schedules activities stay where they were; change them only
 * behind {@code Workflow.getVersion}.
 */
public final class AgentWorkflowImpl implements AgentWorkflow {
  private static final Logger log = Workflow.getLogger(AgentWorkflowImpl.class);
  /** Recent turns that compaction keeps verbatim, reasoning included. */
  private static final int KEEP_TURNS_ON_COMPACT = 8;

  private RunState state;
  private ActivityStubs stubs;
  /** The phase people see; set when the run changes step (see {@link Phase#of}). */
  private Phase phase = Phase.STARTING;
  /** A model call is in flight: a steering message sent now lands one turn later. */
  private boolean thinking;
  /** The scope of the activity in flight; {@code cancel now} cancels it. */
  private CancellationScope inFlight;
  private final SearchAttributeUpserts searchAttributes = new SearchAttributeUpserts();
  /** The turn in which a batch of calls stopped early: the rest of its calls go one by one. */
  private int batchStoppedInTurn = -1;
  /** The run's own scope: a Temporal cancellation request shows up here. */
  private CancellationScope root;
  /** A coordinator's swarm; null for other runs. */
  private SwarmCoordinator swarm;

  @Override
  public RunReport run(RunState initial) {
    state = initial.migrated();
    stubs = new ActivityStubs(state.spec.options());
    root = CancellationScope.current();
    if (state.spec.swarm() != null) swarm = new SwarmCoordinator(state, stubs);
    // A cancellation from the Web UI or `temporal workflow cancel` is graceful: it becomes a
    // wrap-up request. So the loop runs in a scope that the cancellation itself does not reach.
    RunReport[] report = new RunReport[1];
    Workflow.newDetachedCancellationScope(() -> {
      if (swarm != null) Async.procedure(swarm::dispatch); // starts queued sub-agents as slots free up
      report[0] = drive();
    }).run();
    return report[0];
  }

  private RunReport drive() {
    if (state.startedAtMillis == 0) state.startedAtMillis = Workflow.currentTimeMillis();
    if (!state.begun()) begin();
    while (true) {
      absorbTemporalCancel();
      boolean turnInProgress = !state.pendingCalls.isEmpty();
      if (!turnInProgress) checkLimits();
      switch (state.lifecycle.stage()) {
        case ENDED:
          return close();
        case PAUSED:
          awaitOperator();
          break;
        case WRAPPING_UP:
          if (!turnInProgress && ((Lifecycle.WrappingUp) state.lifecycle).mustEndAt(state.turn)) {
            endByStop();
            return close();
          }
          resumeOrTakeTurn(turnInProgress);
          break;
        case RUNNING:
          resumeOrTakeTurn(turnInProgress);
          break;
      }
    }
  }

  private void resumeOrTakeTurn(boolean turnInProgress) {
    if (turnInProgress) {
      act();
    } else {
      ThinkResult thought = think();
      if (thought != null) startActing(thought);
    }
    if (state.pendingCalls.isEmpty() && state.lifecycle.outcome() == null) {
      compactIfNearWindow();
      continueAsNewIfDue();
    }
  }

  // ---- the steps of a turn ------------------------------------------------------------------

  private void begin() {
    publish();
    CreateRunResult created =
        stubs.workspace("begin: workspace on " + state.spec.branch())
            .createWorkspaceAndConversation(new CreateRunInput(workspaceKey(), state.spec.title(), state.task, state.spawnedFrom,
                state.forkedFrom));
    if (created.contextRef() != null) state.contextRef = created.contextRef(); // a fork keeps the one it was forked with
    state.workspaceRef = created.workspaceRef();
    state.task = null; // now in the first checkpoint; keep it out of every later run's input
    state.spawnedFrom = null;
    state.forkedFrom = null;
  }

  /** One model turn. Returns null when the turn could not happen (paused, compacted, stopped). */
  private ThinkResult think() {
    phase = Phase.of(state.lifecycle, Phase.Step.THINKING);
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
            List.copyOf(state.observations), messages, state.spec.model(), swarm != null, state.workspaceRef);
    thinking = true;
    try {
      ThinkResult r =
          cancellable(() -> stubs.model("model: turn " + turn + " (" + state.spec.model().model() + ")").think(input));
      state.turn = turn;
      state.contextRef = r.contextRef();
      state.usage = state.usage.plus(r.usage());
      if (r.contextWindow() != null) state.contextWindow = r.contextWindow();
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

  private void startActing(ThinkResult thought) {
    phase = Phase.of(state.lifecycle, Phase.Step.ACTING);
    if ("length".equals(thought.finishReason())) state.notices.add(Notices.CUT_OFF);
    if (thought.calls().isEmpty()) {
      state.notices.add(Notices.NO_TOOL_CALL);
      state.recordAction("reply: " + Text.oneLine(thought.replyDigest().isBlank() ? "(nothing)" : thought.replyDigest(), 160));
      state.turnsWithoutTools++;
      if (state.turnsWithoutTools >= Notices.TURNS_WITHOUT_TOOLS
          && Workflow.getVersion("pause-after-turns-without-tools", Workflow.DEFAULT_VERSION, 1) == 1) {
        pauseFor(Pause.Cause.STUCK, "the model answered " + state.turnsWithoutTools + " turns in a row without calling a tool");
        state.turnsWithoutTools = 0;
      }
      endTurn("reply:" + thought.replyDigest());
      return;
    }
    state.turnsWithoutTools = 0;
    state.turnCalls = new ArrayList<>(thought.calls());
    state.pendingCalls = new ArrayList<>(thought.calls());
    act();
  }

  /** Performs the turn's pending calls in order; a broken workspace pauses the run between them. */
  private void act() {
    while (!state.pendingCalls.isEmpty()) {
      if (performBatch()) continue;
      ToolCall call = state.pendingCalls.get(0);
      if (!state.pendingCallFailed && !state.pendingCallStarted) state.toolCalls++;
      state.pendingCallStarted = true;
      Observation result = perform(call);
      if (result == null) return; // paused: the call stays pending, and the turn goes on after
      state.pendingCallStarted = false;
      state.pendingCalls.remove(0);
      state.observations.add(result);
    }
    StringBuilder signature = new StringBuilder();
    for (int i = 0; i < state.turnCalls.size(); i++) {
      ToolCall call = state.turnCalls.get(i);
      Observation result = state.observations.get(i);
      signature.append(call.tool()).append(':').append(StuckDetector.what(call))
          .append("->").append(result.ref() != null ? result.ref() : result.text()).append(';');
    }
    state.turnCalls = new ArrayList<>();
    endTurn(signature.toString());
  }

  /**
   * Runs the leading workspace calls, when two or more come in a row, in one activity: one round
   * trip through Temporal for them instead of one each. Returns false when there are no such calls
   * or none of them was done; they then go one by one, which is also where a broken workspace
   * pauses the run, a cancelled call is rolled back, and a run that is ending skips them.
   */
  private boolean performBatch() {
    if (state.pendingCallFailed || state.pendingCallStarted || state.lifecycle.outcome() != null || state.lifecycle.stop() != null
        || batchStoppedInTurn == state.turn) {
      return false;
    }
    List<ToolCall.Workspace> calls = new ArrayList<>();
    for (ToolCall c : state.pendingCalls) {
      if (!(c instanceof ToolCall.Workspace w)) break;
      calls.add(w);
    }
    if (calls.size() < 2 || Workflow.getVersion("tool-batches", Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION) return false;
    List<Integer> seconds = new ArrayList<>();
    for (ToolCall.Workspace c : calls) seconds.add(commandSeconds(c));
    ToolBatch batch = new ToolBatch(workspaceKey(), state.contextRef, state.turn, state.observations.size(), state.workspaceRef, calls,
        seconds, Containment.orDefault(state.spec.options().containment()), state.spec.model().apiKeyEnv());
    StringBuilder summary = new StringBuilder(calls.size() + " calls: ");
    for (ToolCall.Workspace c : calls) summary.append(c == calls.get(0) ? "" : " · ").append(c.display());
    ToolBatchResult done;
    try {
      int total = seconds.stream().mapToInt(Integer::intValue).sum();
      done = cancellable(() -> stubs.tools(summary.toString(), total).executeAll(batch));
    } catch (ActivityFailure | CanceledFailure f) {
      batchStoppedInTurn = state.turn;
      return false;
    }
    if (done.results().size() < calls.size()) batchStoppedInTurn = state.turn;
    for (ToolResult r : done.results()) {
      ToolCall.Workspace call = (ToolCall.Workspace) state.pendingCalls.remove(0);
      state.toolCalls++;
      state.observations.add(applied(call, r));
    }
    return !done.results().isEmpty();
  }

  private void endTurn(String signature) {
    if (state.lifecycle.outcome() == null) noticeRepetition(signature);
    publish();
  }

  /** One call's result, or null when the workspace broke and the run paused before it ran. */
  private Observation perform(ToolCall call) {
    if (call instanceof ToolCall.Workspace w && state.pendingCallFailed) return retryAfterPause(w);
    Stop stop = state.lifecycle.stop();
    if (state.lifecycle.outcome() != null || (stop != null && stop.now())) {
      state.recordAction(call.tool() + ": not run (the run ended)");
      return Observation.inline(call.id(), call.tool(), "Not run: the run ended before this call.");
    }
    if (call instanceof ToolCall.UpdatePlan p) {
      state.plan = new ArrayList<>(p.steps());
      state.recordAction("update_plan: " + p.steps().size() + " steps");
      return Observation.inline(call.id(), call.tool(), "Plan updated (" + p.steps().size() + " steps).");
    }
    if (call instanceof ToolCall.Finish f) {
      state.lifecycle = state.lifecycle.finishedByAgent();
      state.summary = f.summary();
      state.recordAction("finish");
      return Observation.inline(call.id(), call.tool(), "Run finished.");
    }
    if (call instanceof ToolCall.Rejected r) {
      state.recordAction(r.tool() + ": rejected · " + Text.oneLine(r.error(), 120));
      return Observation.inline(call.id(), call.tool(), r.error());
    }
    if (call instanceof ToolCall.Workspace w) return runTool(w);
    if (swarm == null) return Observation.inline(call.id(), call.tool(), "Error: " + call.tool() + " is for a swarm's coordinator.");
    if (call instanceof ToolCall.SpawnAgents spawn) return swarm.spawn(spawn);
    if (call instanceof ToolCall.AgentStatus status) return swarm.status(status);
    return waitForAgents((ToolCall.WaitAgents) call);
  }

  /** Waits for sub-agents and merges their work; a failed merge pauses the run, and the wait is made again after. */
  private Observation waitForAgents(ToolCall.WaitAgents call) {
    state.pendingCallFailed = false;
    phase = Phase.of(state.lifecycle, Phase.Step.ACTING);
    publish();
    try {
      return swarm.await(call, () -> state.lifecycle.stop() != null && state.lifecycle.stop().now(), () -> {
        checkLimits(); // the swarm's budget, as the survey found it
        publish();
        continueAsNewIfDue(); // a long wait must not grow one run's history without bound
      });
    } catch (ActivityFailure f) {
      pauseFor(WorkspaceFailures.STORE_CORRUPT.equals(failureType(f)) ? Pause.Cause.STORE_ERROR : Pause.Cause.WORKSPACE_ERROR,
          "merging the sub-agents' work failed: " + describe(f));
      state.pendingCallFailed = true;
      return null;
    }
  }

  /** Runs a workspace tool; a broken workspace pauses the run until an operator fixes it. */
  private Observation runTool(ToolCall.Workspace call) {
    int seconds = commandSeconds(call);
    String stepId = state.turn + "." + (state.observations.size() + 1);
    try {
      ToolInput input = new ToolInput(workspaceKey(), state.contextRef, stepId, state.workspaceRef, call, seconds,
          Containment.orDefault(state.spec.options().containment()), state.spec.model().apiKeyEnv());
      return applied(call, cancellable(() -> stubs.tools(call.display(), seconds).execute(input)));
    } catch (ActivityFailure | CanceledFailure f) {
      if (state.lifecycle.stop() == null) {
        Pause.Cause cause = WorkspaceFailures.STORE_CORRUPT.equals(failureType(f)) ? Pause.Cause.STORE_ERROR : Pause.Cause.WORKSPACE_ERROR;
        pauseFor(cause, "tool " + call.display() + " failed: " + describe(f));
        state.pendingCallFailed = true;
        return null;
      }
      return notRunWhileEnding(call);
    }
  }

  /** A finished call's result: the workspace is now at its snapshot; its result goes to the model. */
  private Observation applied(ToolCall.Workspace call, ToolResult r) {
    state.workspaceRef = r.workspaceRef();
    state.recordAction(call.display() + " → " + r.summary());
    return Observation.stored(call.id(), call.tool(), r.observationRef(), r.observationChars());
  }

  /** The call that broke the workspace: run it again, unless the operator asked the run to end. */
  private Observation retryAfterPause(ToolCall.Workspace call) {
    state.pendingCallFailed = false;
    return state.lifecycle.stop() != null ? notRunWhileEnding(call) : runTool(call);
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
    if (state.lifecycle.stop() != null || state.lifecycle.outcome() != null) return; // wrapping up: grace turns
    double hours = (Workflow.currentTimeMillis() - state.startedAtMillis) / 3_600_000.0;
    // A coordinator's budget is the swarm's: its own turns and spending and its sub-agents'.
    BudgetCheck check = swarm == null ? BudgetCheck.of(state.budget, state.turn, state.usage, hours)
        : BudgetCheck.of(state.budget, SubAgents.turns(state), SubAgents.usage(state), hours);
    for (String name : check.near()) {
      if (!state.warned.contains(name)) {
        state.warned.add(name);
        state.notices.add(Notices.nearLimit(name));
      }
    }
    if (check.reached() != null && state.lifecycle.stage() == Lifecycle.Stage.RUNNING) {
      if (state.budget.endsAtLimit()) {
        requestStop(Stop.Kind.FINISH, false, Notices.budgetEnds(check.reached()));
      } else {
        pauseFor(Pause.Cause.BUDGET, check.reached());
      }
    }
  }

  /** Every pause goes through here: while wrapping up, it ends the run at the boundary instead. */
  private void pauseFor(Pause.Cause cause, String reason) {
    state.lifecycle = state.lifecycle.pausedFor(new Pause(cause, reason));
    log.info("run {} paused: {}", state.spec.runId(), reason);
    if (state.lifecycle.pause() == null) return; // wrapping up: no pause
    if (swarm != null && cause == Pause.Cause.BUDGET) {
      // The swarm's budget is everyone's: the sub-agents pause too, and a raised budget lets them all go on.
      state.agentsPausedForBudget = true;
      swarm.tell(SwarmCoordinator::live, child -> child.pause("the swarm's budget is reached: " + reason));
    }
    if (state.spec.coordinator() != null && cause != Pause.Cause.OPERATOR) {
      state.coordinatorToldPaused = true;
      tellCoordinator(AgentNews.Kind.PAUSED, cause.name().toLowerCase(Locale.ROOT) + ": " + reason, null);
    }
  }

  /** Waits until an operator unpauses, raises the budget, or asks the run to end. */
  private void awaitOperator() {
    phase = Phase.of(state.lifecycle, Phase.Step.WAITING);
    publish();
    Workflow.await(() -> state.lifecycle.stage() != Lifecycle.Stage.PAUSED || root.isCancelRequested());
    absorbTemporalCancel();
    if (state.coordinatorToldPaused && state.lifecycle.stage() != Lifecycle.Stage.PAUSED) {
      state.coordinatorToldPaused = false;
      tellCoordinator(AgentNews.Kind.UNPAUSED, null, null);
    }
  }

  /** Turns a Temporal cancellation request (Web UI, temporal CLI) into a graceful cancel. */
  private void absorbTemporalCancel() {
    if (root.isCancelRequested() && state.lifecycle.stop() == null) requestStop(Stop.Kind.CANCEL, false);
  }

  private void requestStop(Stop.Kind kind, boolean now) {
    requestStop(kind, now, null);
  }

  /** @param notice what the agent is told, when not the operator's usual wrap-up request */
  private void requestStop(Stop.Kind kind, boolean now, String notice) {
    if (state.lifecycle.outcome() != null) return;
    boolean first = state.lifecycle.stop() == null;
    int byTurn = state.turn + (thinking ? 1 : 0) + Stop.GRACE_TURNS;
    state.lifecycle = state.lifecycle.stopRequested(kind, now, byTurn);
    Stop stop = state.lifecycle.stop();
    if (first) state.notices.add(notice != null ? notice : Notices.wrapUp(stop.kind()));
    if (stop.now() && inFlight != null) inFlight.cancel();
    if (swarm != null) {
      // Finish and cancel reach every sub-agent: they wrap up, and their work is still collected.
      swarm.dropQueue("the coordinator was asked to " + kind.name().toLowerCase(Locale.ROOT));
      swarm.tell(SwarmCoordinator::live, kind == Stop.Kind.CANCEL ? child -> child.cancel(stop.now()) : AgentWorkflow::finish);
    }
  }

  private void endByStop() {
    Lifecycle.WrappingUp w = (Lifecycle.WrappingUp) state.lifecycle;
    state.lifecycle = w.endedByStop();
    boolean cancel = w.stop().kind() == Stop.Kind.CANCEL;
    String why = w.interruptedBy() != null
        ? "; the run could not go on while wrapping up: " + w.interruptedBy().reason()
        : cancel && w.stop().now() ? "." : "; the agent did not report within its grace turns.";
    state.summary = (cancel ? "Cancelled by an operator" : "Asked to finish") + why;
  }

  // ---- context and history size -------------------------------------------------------------

  /** Compacts when the next prompt (the conversation plus what the next turn adds) nears the window. */
  private void compactIfNearWindow() {
    long window = state.contextWindow();
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
    phase = Phase.of(state.lifecycle, Phase.Step.COMPACTING);
    publish();
    long window = state.contextWindow();
    // Half the window, less what the next turn will add (tool results not yet in the conversation).
    long pending = nextPromptTokens() - state.usage.contextTokens();
    long target = window > 0 ? Math.max(window / 2 - pending, window / 8) : 0;
    CompactInput input = new CompactInput(state.spec.runId(), state.turn, state.contextRef,
        target, KEEP_TURNS_ON_COMPACT, List.copyOf(state.plan), state.spec.model());
    try {
      CompactResult r = cancellable(() -> stubs.model("compact: turn " + state.turn).compact(input));
      if (r.note() != null) state.recordAction("compaction: " + r.note());
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
    Stop stop = state.lifecycle.stop();
    if (stop != null && stop.now()) return;
    if (ModelFailures.CONTEXT_OVERFLOW.equals(failureType(f))) {
      Long window = reportedWindow(f);
      if (window != null) state.contextWindow = window;
      if (!compact()) pauseFor(Pause.Cause.MODEL_ERROR,
          "the conversation no longer fits the context window and compaction could not shrink it: " + describe(f));
      return;
    }
    pauseFor(WorkspaceFailures.STORE_CORRUPT.equals(failureType(f)) ? Pause.Cause.STORE_ERROR : Pause.Cause.MODEL_ERROR, describe(f));
  }

  private void continueAsNewIfDue() {
    WorkflowInfo info = Workflow.getInfo();
    if (info.isContinueAsNewSuggested()
        || info.getHistoryLength() >= state.spec.options().continueAsNewEvents()) {
      Workflow.await(() -> Workflow.isEveryHandlerFinished() && (swarm == null || swarm.idle()));
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
    phase = Phase.of(state.lifecycle, Phase.Step.CLOSING);
    RunOutcome outcome = state.lifecycle.outcome();
    String message = "marathon: " + state.spec.title() + "\n\n" + (state.summary == null ? "" : state.summary)
        + "\n\nRun " + state.spec.runId() + " ended " + outcome.name().toLowerCase(Locale.ROOT)
        + " after " + state.turn + " turns and " + state.toolCalls + " tool calls.";
    String head = null;
    String reportRef = null;
    try {
      CommitResult committed = stubs.workspace("commit: " + state.spec.branch()).commit(new CommitInput(workspaceKey(),
          state.workspaceRef, message, state.spec.coordinator() == null ? null : state.summary == null ? "" : state.summary));
      head = committed.head();
      reportRef = committed.reportRef();
    } catch (ActivityFailure f) {
      state.summary = (state.summary == null ? "" : state.summary + "\n\n")
          + "Marathon could not commit the final workspace: " + describe(f);
    }
    publish();
    if (state.spec.coordinator() != null) tellCoordinator(AgentNews.Kind.ENDED, outcome.name().toLowerCase(Locale.ROOT), head, reportRef);
    return new RunReport(outcome, state.summary, state.spec.branch(), head, Progress.of(state, phase));
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
    if (message.length() > MAX_STEER_CHARS) throw new IllegalArgumentException("message over 16 KiB; put long text in a file in the repo");
    if (state == null || state.lifecycle.outcome() != null) throw new IllegalStateException("the run has ended");
    Stop stop = state.lifecycle.stop();
    if (stop != null) throw new IllegalStateException("the run is ending (" + stop.kind() + ")");
  }

  @Override
  public SteerReceipt steer(String message) {
    state.steering.add(message);
    publish();
    return new SteerReceipt(state.turn + (thinking ? 2 : 1), state.spec.runId());
  }

  @Override
  public Budget budget(Budget change) {
    state.budget = state.budget.changedBy(change);
    state.warned.clear();
    state.lifecycle = state.lifecycle.budgetChanged(); // the limits are checked again at the boundary
    if (state.agentsPausedForBudget) {
      state.agentsPausedForBudget = false; // if the swarm is still over, the next check pauses everyone again
      swarm.tell(SwarmCoordinator::live, AgentWorkflow::unpause);
    }
    publish();
    return state.budget;
  }

  @Override
  public void validateRewind(Rewind to) {
    if (state == null || state.lifecycle.stage() != Lifecycle.Stage.PAUSED) {
      throw new IllegalStateException("the run is not paused: pause it first (./marathon pause " + (state == null ? "ID" : state.spec.runId()) + ")");
    }
    if (to.turn() < 1 || to.turn() > state.turn) throw new IllegalArgumentException("turn " + to.turn() + " is outside 1.." + state.turn);
  }

  @Override
  public Progress rewind(Rewind to) {
    state.contextRef = to.contextRef();
    state.observations = new ArrayList<>(to.observations());
    state.workspaceRef = to.workspaceRef(); // the next tool step restores the workspace to it
    state.turn = to.turn();
    state.plan = new ArrayList<>(to.plan());
    state.toolCalls = to.toolCalls();
    state.pendingCalls = new ArrayList<>();
    state.turnCalls = new ArrayList<>();
    state.pendingCallFailed = false;
    state.pendingCallStarted = false;
    state.notices.clear();
    state.turnsWithoutTools = 0;
    state.stuck.reset();
    state.recordAction("rewound to turn " + to.turn());
    state.lifecycle = state.lifecycle.unpaused();
    publish();
    return Progress.of(state, phase);
  }

  @Override
  public void pause(String reason) {
    if (state.lifecycle.stage() != Lifecycle.Stage.RUNNING) return;
    String why = reason == null || reason.isBlank() ? "paused by an operator" : reason;
    pauseFor(Pause.Cause.OPERATOR, why);
    if (swarm != null) swarm.tell(a -> a.state == SubAgent.State.RUNNING, child -> child.pause("the coordinator paused: " + why));
  }

  @Override
  public void unpause() {
    Pause pause = state.lifecycle.pause();
    if (pause == null) return;
    if (pause.cause() == Pause.Cause.STUCK) state.stuck.reset();
    state.lifecycle = state.lifecycle.unpaused();
    if (swarm != null) swarm.tell(a -> a.state == SubAgent.State.PAUSED || a.state == SubAgent.State.RUNNING, AgentWorkflow::unpause);
  }

  @Override
  public void agentNews(AgentNews news) {
    if (swarm == null) return;
    swarm.heard(news);
    publish();
  }

  @Override
  public void finish() {
    requestStop(Stop.Kind.FINISH, false);
  }

  @Override
  public void cancel(boolean now) {
    Stop stop = state.lifecycle.stop();
    boolean second = stop != null && stop.kind() == Stop.Kind.CANCEL;
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

  /** A sub-agent tells its coordinator how it is (the coordinator may have ended: then no one listens). */
  private void tellCoordinator(AgentNews.Kind kind, String what, String head) {
    tellCoordinator(kind, what, head, null);
  }

  private void tellCoordinator(AgentNews.Kind kind, String what, String head, String reportRef) {
    boolean ended = kind == AgentNews.Kind.ENDED;
    AgentNews news = new AgentNews(state.spec.runId(), kind, ended ? what : null, ended ? null : what,
        ended && state.summary != null ? Text.oneLine(state.summary, 500) : null, reportRef, head, state.turn, state.toolCalls,
        state.usage.totalTokens(), state.usage.costUsd(), state.lastTool());
    try {
      Workflow.newExternalWorkflowStub(AgentWorkflow.class, state.spec.coordinator()).agentNews(news);
    } catch (RuntimeException gone) {
      log.warn("run {} could not tell its coordinator {}: {}", state.spec.runId(), state.spec.coordinator(), gone.getMessage());
    }
  }

  /** Updates what the Web UI shows: current details always, search attributes when they changed. */
  private void publish() {
    Workflow.setCurrentDetails(RunDetails.markdown(state, phase));
    searchAttributes.upsertChanged(state, phase);
  }

  /** The context window a context-overflow failure carries (the server said how large it is), or null. */
  private static Long reportedWindow(Throwable f) {
    for (Throwable t = f; t != null; t = t.getCause()) {
      if (t instanceof ApplicationFailure a && a.getDetails().getSize() > 0) {
        try {
          return a.getDetails().get(Long.class);
        } catch (RuntimeException notAWindow) {
          return null;
        }
      }
    }
    return null;
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
