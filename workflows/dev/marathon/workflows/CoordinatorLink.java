package dev.marathon.workflows;

import io.temporal.workflow.Workflow;
import java.util.Locale;
import org.slf4j.Logger;

/**
 * A sub-agent's line to its coordinator: it tells it when it pauses on its own (not on an
 * operator's or the coordinator's word), when it goes on again, and how it ended. For a run that
 * is nobody's sub-agent every call does nothing. The coordinator may have ended: then no one
 * listens, and that is not the sub-agent's failure.
 */
final class CoordinatorLink {
  private static final Logger log = Workflow.getLogger(CoordinatorLink.class);
  private final RunState state;

  CoordinatorLink(RunState state) {
    this.state = state;
  }

  /** The run paused for {@code cause}; the coordinator hears of it unless an operator did it. */
  void paused(Pause.Cause cause, String reason) {
    if (state.spec.coordinator() == null || cause == Pause.Cause.OPERATOR) return;
    state.swarm.coordinatorToldPaused = true;
    tell(AgentNews.Kind.PAUSED, cause.name().toLowerCase(Locale.ROOT) + ": " + reason, null, null);
  }

  /** The run goes on after a pause the coordinator heard of. */
  void goesOn() {
    if (!state.swarm.coordinatorToldPaused || state.lifecycle instanceof Lifecycle.Paused) return;
    state.swarm.coordinatorToldPaused = false;
    tell(AgentNews.Kind.UNPAUSED, null, null, null);
  }

  /** The run ended: its outcome, the branch head and the report its coordinator merges. */
  void ended(RunOutcome outcome, String head, String reportRef) {
    if (state.spec.coordinator() == null) return;
    tell(AgentNews.Kind.ENDED, outcome.name().toLowerCase(Locale.ROOT), head, reportRef);
  }

  /** The summary the final commit keeps for the coordinator to read, or null for a run that is nobody's sub-agent. */
  String reportText() {
    return state.spec.coordinator() == null ? null : state.summary == null ? "" : state.summary;
  }

  private void tell(AgentNews.Kind kind, String what, String head, String reportRef) {
    boolean ended = kind == AgentNews.Kind.ENDED;
    AgentNews news = new AgentNews(state.spec.runId(), kind, ended ? what : null, ended ? null : what,
        ended && state.summary != null ? Text.oneLine(state.summary, 500) : null, reportRef, head, state.turn, state.toolCalls,
        state.spending.usage.totalTokens(), state.spending.usage.costUsd(), state.lastTool());
    try {
      Workflow.newExternalWorkflowStub(AgentWorkflow.class, state.spec.coordinator()).agentNews(news);
    } catch (RuntimeException gone) {
      log.warn("run {} could not tell its coordinator {}: {}", state.spec.runId(), state.spec.coordinator(), gone.getMessage());
    }
  }
}
