package dev.marathon.workflows;

import java.util.Locale;

/**
 * The live Markdown a person reads in the Web UI's "Current Details": plan with statuses, turn,
 * last tool, usage and cost, phase. Pure, so it is tested without Temporal.
 */
public final class RunDetails {

  public static String markdown(RunState s, Phase phase) {
    StringBuilder md = new StringBuilder();
    md.append("## ").append(Text.oneLine(s.spec.title(), 200)).append("\n\n");
    md.append("**").append(phase.label()).append("** · turn ").append(s.turn)
        .append(" · ").append(s.toolCalls).append(" tool calls");
    if (s.runsInChain > 1) md.append(" · run ").append(s.runsInChain).append(" of the chain");
    md.append("\n\n");
    Containment containment = s.spec.options().containment();
    if (!containment.sandbox()) md.append("> ⚠ **No sandbox**: ").append(containment.describe()).append("\n\n");
    Pause pause = s.lifecycle.pause();
    if (pause != null) {
      md.append("> ⏸ Paused (").append(pause.cause().name().toLowerCase(Locale.ROOT))
          .append("): ").append(Text.oneLine(pause.reason(), 300)).append("\n\n");
    }
    Stop stop = s.lifecycle.stop();
    if (stop != null) {
      md.append("> ⏹ Asked to ").append(stop.kind().name().toLowerCase(Locale.ROOT))
          .append(stop.now() ? " now" : " (wrapping up)").append("\n\n");
    }
    md.append("### Plan\n");
    if (s.plan.isEmpty()) md.append("_no plan yet_\n");
    for (PlanStep step : s.plan) {
      String box = switch (step.status()) {
        case COMPLETED -> "- [x] ";
        case IN_PROGRESS -> "- [ ] **▶** ";
        case PENDING -> "- [ ] ";
      };
      md.append(box).append(Text.oneLine(step.step(), 160)).append('\n');
    }
    if (!s.swarm.agents.isEmpty()) md.append("\n### Sub-agents\n").append(SubAgents.table(s, true));
    md.append("\n### Recent steps\n");
    if (s.recent.isEmpty()) md.append("_none yet_\n");
    for (Action a : s.recent.subList(Math.max(0, s.recent.size() - 5), s.recent.size())) {
      md.append("- turn ").append(a.turn()).append(": `").append(Text.oneLine(a.line(), 160).replace('`', '\'')).append("`\n");
    }
    md.append("\n### Usage").append(s.swarm.agents.isEmpty() ? "" : " (this coordinator; the swarm's is above)").append("\n");
    md.append(String.format(Locale.ROOT,
        "- tokens: %,d in (%,d cached) · %,d out · cost $%.4f%n",
        s.spending.usage.promptTokens(), s.spending.usage.cachedTokens(), s.spending.usage.completionTokens(), s.spending.usage.costUsd()));
    md.append(budgetLine(s.spending.budget)).append('\n');
    if (!s.conversation.steering.isEmpty()) md.append("- steering messages waiting: ").append(s.conversation.steering.size()).append('\n');
    if (s.conversation.compactions > 0) md.append("- context compacted ").append(s.conversation.compactions).append("×\n");
    Notifications n = s.notifications;
    if (n != null && !s.spec.options().notifyTargets().isEmpty() && s.spec.coordinator() == null) {
      md.append("- notifications: ").append(n.delivered).append(" delivered");
      if (n.underWay > 0) md.append(", ").append(n.underWay).append(" under way");
      if (!n.problems.isEmpty()) md.append(" · **not delivered**:");
      md.append('\n');
      for (String problem : n.problems) md.append("  - ").append(Text.oneLine(problem, 300)).append('\n');
    }
    if (s.summary != null) md.append("\n### Summary\n").append(Text.oneLine(s.summary, 2000)).append('\n');
    return md.toString();
  }

  static String budgetLine(Budget b) {
    StringBuilder line = new StringBuilder("- budget:");
    if (b.maxTurns() != null) line.append(" ").append(b.maxTurns()).append(" turns");
    if (b.maxHours() != null) line.append(String.format(Locale.ROOT, " %.1f h", b.maxHours()));
    if (b.maxTokens() != null) line.append(String.format(Locale.ROOT, " %,d tokens", b.maxTokens()));
    if (b.maxCostUsd() != null) line.append(String.format(Locale.ROOT, " $%.2f", b.maxCostUsd()));
    if (line.length() == "- budget:".length()) line.append(" unlimited");
    return line.toString();
  }

  private RunDetails() {}
}
