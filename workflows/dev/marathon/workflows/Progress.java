package dev.marathon.workflows;

import java.util.List;

/**
 * A run as an operator sees it: what {@code ./marathon status --json} prints and the {@code
 * progress} query returns.
 *
 * @param containment how its commands are contained; null in the reports of runs that completed
 *     before Progress carried it (commit b9172aa, 2026-12-03)
 */
public record Progress(
    String workflowId,
    String title,
    String phase,
    int turn,
    int toolCalls,
    List<PlanStep> plan,
    Usage usage,
    String branch,
    String repo,
    String model,
    String lastTool,
    List<Action> recent,
    Budget budget,
    Pause pause,
    Stop stop,
    int pendingSteering,
    int runsInChain,
    int compactions,
    String outcome,
    String summary,
    List<AgentRow> agents,
    Usage swarmUsage,
    String contextRef,
    String workspaceRef,
    Containment containment) {

  /** A coordinator's sub-agent, as {@code status --json} lists it. */
  public record AgentRow(String id, String title, String status, int turn, int toolCalls, String branch, String outcome,
      double costUsd, String lastStep) {}

  public static Progress of(RunState s, Phase phase) {
    return new Progress(
        s.spec.runId(),
        s.spec.title(),
        phase.label(),
        s.turn,
        s.toolCalls,
        List.copyOf(s.plan),
        s.spending.usage,
        s.spec.branch(),
        s.spec.repo(),
        s.spec.model().model(),
        s.lastTool(),
        List.copyOf(s.recent),
        s.spending.budget,
        s.lifecycle.pause(),
        s.lifecycle.stop(),
        s.conversation.steering.size(),
        s.runsInChain,
        s.conversation.compactions,
        s.lifecycle.outcome() == null ? null : s.lifecycle.outcome().name().toLowerCase(java.util.Locale.ROOT),
        s.summary,
        s.swarm.agents.stream().map(a -> new AgentRow(a.id, a.title, SubAgents.stateWord(a), a.turn, a.toolCalls, a.branch, a.outcome,
            a.costUsd, a.reason != null ? a.reason : a.lastStep)).toList(),
        s.spec.swarm() == null ? null : SubAgents.usage(s),
        s.conversation.contextRef,
        s.workspaceRef,
        s.spec.options().containment());
  }
}
