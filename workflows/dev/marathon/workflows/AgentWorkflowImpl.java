package dev.marathon.workflows;

import static dev.marathon.workflows.ActivityFailures.describe;

import dev.marathon.workflows.api.CommitInput;
import dev.marathon.workflows.api.CommitResult;
import dev.marathon.workflows.api.CreateRunInput;
import dev.marathon.workflows.api.CreateRunResult;
import dev.marathon.workflows.api.KeepInput;
import dev.marathon.workflows.api.McpTools;
import dev.marathon.workflows.api.McpToolsInput;
import dev.marathon.workflows.api.ThinkResult;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Workflow;
import java.util.Locale;

/**
 * The agent loop: check limits → wait while paused → think → act → compact / continue-as-new.
 * Deterministic: everything that touches the world is an activity, everything large is a ref.
 * How one turn flows through the activities is drawn in docs/architecture.md.
 *
 * <p>The loop is here; a turn's two halves are {@link Thinking} and {@link Acting}, what every part
 * does the same way (publish, pause, stop) is {@link LiveRun}, an operator's requests are {@link
 * OperatorControls}, and a run's place in a swarm is its {@link Role} and {@link CoordinatorLink}.
 *
 * <p>Runs recorded by earlier versions replay against this code (ReplayTest), so the points where
 * it upserts search attributes and schedules activities stay where they were; change them only
 * behind {@code Workflow.getVersion}.
 */
public final class AgentWorkflowImpl implements AgentWorkflow {
  private RunState state;
  private LiveRun run;
  private Thinking thinking;
  private Acting acting;
  private OperatorControls controls;

  @Override
  public RunReport run(RunState initial) {
    state = initial.migrated();
    run = new LiveRun(state, CancellationScope.current());
    thinking = new Thinking(run);
    acting = new Acting(run);
    controls = new OperatorControls(run);
    // A cancellation from the Web UI or `temporal workflow cancel` is graceful: it becomes a
    // wrap-up request. So the loop runs in a scope that the cancellation itself does not reach.
    RunReport[] report = new RunReport[1];
    Workflow.newDetachedCancellationScope(() -> {
      run.role.beside();
      report[0] = drive();
    }).run();
    return report[0];
  }

  private RunReport drive() {
    if (state.spending.startedAtMillis == 0) state.spending.startedAtMillis = Workflow.currentTimeMillis();
    if (!state.begun()) begin();
    run.notifier.resumeCarried();
    while (true) {
      run.absorbTemporalCancel();
      if (state.toKeep != null && !(state.lifecycle instanceof Lifecycle.Paused)) keepWhatARewindWentBackOver();
      boolean turnInProgress = state.calls.inProgress();
      if (!turnInProgress) run.checkLimits();
      Lifecycle now = state.lifecycle;
      if (now instanceof Lifecycle.Ended ended) return close(ended.outcome());
      if (now instanceof Lifecycle.Paused) {
        run.awaitOperator();
      } else if (now instanceof Lifecycle.WrappingUp w && !turnInProgress && w.mustEndAt(state.turn)) {
        run.endByStop(w);
        return close(((Lifecycle.Ended) state.lifecycle).outcome());
      } else {
        resumeOrTakeTurn(turnInProgress);
      }
    }
  }

  private void resumeOrTakeTurn(boolean turnInProgress) {
    if (turnInProgress) {
      if (acting.act()) endTurn(acting.closeTurn());
    } else {
      ThinkResult thought = thinking.think();
      if (thought != null) startActing(thought);
    }
    if (!state.calls.inProgress() && !(state.lifecycle instanceof Lifecycle.Ended)) {
      thinking.compactIfNearWindow();
      run.continueAsNewIfDue();
    }
  }

  private void begin() {
    run.publish();
    CreateRunResult created =
        run.stubs.workspace("begin: workspace on " + state.spec.branch())
            .createWorkspaceAndConversation(new CreateRunInput(state.spec.workspaceKey(), state.spec.title(), state.task, state.spawnedFrom,
                state.forkedFrom));
    if (created.contextRef() != null) state.conversation.contextRef = created.contextRef(); // a fork keeps the one it was forked with
    state.workspaceRef = created.workspaceRef();
    state.task = null; // now in the first checkpoint; keep it out of every later run's input
    state.spawnedFrom = null;
    state.forkedFrom = null;
    if (!state.spec.options().mcpServers().isEmpty() && state.mcpToolsRef == null) recordMcpTools();
  }

  /**
   * Asks the run's MCP servers for their tools once, at the start: the run is offered that list to
   * its end. A server that does not answer is news for the model, not a failed run.
   */
  private void recordMcpTools() {
    if (Workflow.getVersion(McpToolsInput.CHANGE, Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION) return;
    java.util.Map<String, McpServer> servers = state.spec.options().mcpServers();
    try {
      McpTools tools = run.stubs.tools("mcp: tools of " + String.join(", ", servers.keySet()), 120).listMcpTools(
          new McpToolsInput(state.spec.workspaceKey(), state.workspaceRef, servers, state.spec.options().containment(), state.spec.model().apiKeyEnv()));
      state.mcpToolsRef = tools.ref();
      state.recordAction("mcp: " + tools.names().size() + " tools from " + servers.size() + " servers");
      for (String problem : tools.problems()) state.conversation.notices.add(Notices.mcpUnavailable(problem));
    } catch (ActivityFailure f) {
      state.conversation.notices.add(Notices.mcpUnavailable("the MCP servers (" + String.join(", ", servers.keySet()) + ") could not be listed: " + describe(f)));
    }
  }

  /** The user's repository is written by the worker under the run's lease, never by the CLI that asked. */
  private void keepWhatARewindWentBackOver() {
    KeepInput keep = state.toKeep;
    if (Workflow.getVersion(KeepInput.CHANGE, Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION) {
      state.toKeep = null; // a worker before this change started the run and did not keep it: neither does its replay
      return;
    }
    try {
      run.stubs.workspace("rewind: keep on " + keep.branch()).keep(keep);
      state.recordAction("kept the work gone back over on " + keep.branch());
      state.toKeep = null;
    } catch (ActivityFailure f) {
      run.pauseFor(Pause.Cause.WORKSPACE_ERROR, "keeping the work a rewind went back over on " + keep.branch() + " failed: " + describe(f));
    }
  }

  private void startActing(ThinkResult thought) {
    run.step(Phase.Step.ACTING);
    if ("length".equals(thought.finishReason())) state.conversation.notices.add(Notices.CUT_OFF);
    if (thought.calls().isEmpty()) {
      state.conversation.notices.add(Notices.NO_TOOL_CALL);
      state.recordAction("reply: " + Text.oneLine(thought.replyDigest().isBlank() ? "(nothing)" : thought.replyDigest(), 160));
      state.turnsWithoutTools++;
      if (state.turnsWithoutTools >= Notices.TURNS_WITHOUT_TOOLS
          && Workflow.getVersion("pause-after-turns-without-tools", Workflow.DEFAULT_VERSION, 1) == 1) {
        run.pauseFor(Pause.Cause.STUCK, "the model answered " + state.turnsWithoutTools + " turns in a row without calling a tool");
        state.turnsWithoutTools = 0;
      }
      endTurn("reply:" + thought.replyDigest());
      return;
    }
    state.turnsWithoutTools = 0;
    state.calls.start(thought.calls());
    if (acting.act()) endTurn(acting.closeTurn());
  }

  /** A turn is over: the stuck detector sees what it did (same calls, same results, again?). */
  private void endTurn(String signature) {
    if (!(state.lifecycle instanceof Lifecycle.Ended)) {
      switch (state.stuck.observe(signature)) {
        case WARN -> state.conversation.notices.add(Notices.REPEATING);
        case PAUSE -> run.pauseFor(Pause.Cause.STUCK,
            "the agent repeated the same action " + state.stuck.repeats + " times without progress");
        case PROGRESS -> { }
      }
    }
    run.publish();
  }

  private RunReport close(RunOutcome outcome) {
    run.step(Phase.Step.CLOSING);
    String message = "marathon: " + state.spec.title() + "\n\n" + (state.summary == null ? "" : state.summary)
        + "\n\nRun " + state.spec.runId() + " ended " + outcome.name().toLowerCase(Locale.ROOT)
        + " after " + state.turn + " turns and " + state.toolCalls + " tool calls.";
    String head = null;
    String reportRef = null;
    try {
      CommitResult committed = run.stubs.workspace("commit: " + state.spec.branch()).commit(new CommitInput(state.spec.workspaceKey(),
          state.workspaceRef, message, run.coordinator.reportText()));
      head = committed.head();
      reportRef = committed.reportRef();
    } catch (ActivityFailure f) {
      state.summary = (state.summary == null ? "" : state.summary + "\n\n")
          + "Marathon could not commit the final workspace: " + describe(f);
    }
    run.publish();
    run.coordinator.ended(outcome, head, reportRef);
    run.notifier.ended(outcome);
    if (!run.notifier.idle()) {
      run.publish(); // the details say what a finished run still waits for
      run.notifier.awaitLast();
      run.publish(); // a delivery that failed is in the details
    }
    return new RunReport(outcome, state.summary, state.spec.branch(), head, Progress.of(state, run.phase),
        state.spec.coordinator() == null ? state : null);
  }

  // ---- queries, updates, signals: see OperatorControls --------------------------------------

  @Override
  public Progress progress() {
    return Progress.of(state, run.phase);
  }

  @Override
  public RunState state() {
    return state;
  }

  @Override
  public void validateSteer(String message) {
    controls().validateSteer(message);
  }

  @Override
  public SteerReceipt steer(String message) {
    return controls.steer(message);
  }

  @Override
  public Budget budget(Budget change) {
    return controls.budget(change);
  }

  @Override
  public void validateRewind(Rewind to) {
    controls().validateRewind(to);
  }

  @Override
  public Progress rewind(Rewind to) {
    return controls.rewind(to);
  }

  @Override
  public void pause(String reason) {
    controls.pause(reason);
  }

  @Override
  public void unpause() {
    controls.unpause();
  }

  @Override
  public void finish() {
    controls.finish();
  }

  @Override
  public void cancel(boolean now) {
    controls.cancel(now);
  }

  @Override
  public void agentNews(AgentNews news) {
    // A signal can come before the run has read its state (the first task of a continued run): it
    // was dropped then, and the survey finds the sub-agent's news again.
    if (run == null || !(run.role instanceof SwarmCoordinator swarm)) return;
    swarm.heard(news);
    run.publish();
  }

  /** The controls, once the run has read its state (an update can arrive before that). */
  private OperatorControls controls() {
    if (controls == null) throw new IllegalStateException("the run is starting; try again in a moment");
    return controls;
  }
}
