package dev.marathon.workflows;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Compares a run's spending with its budget. Pure: the workflow passes in workflow time.
 *
 * @param reached the first limit reached, as a sentence for the operator, or null
 * @param near names of limits that are close ({@code turns}, {@code hours}, {@code tokens},
 *     {@code cost}); the agent is told to wrap up once per name
 * @param crossed limits at {@link #CROSSED} or more of their value, not reached, each with the
 *     sentence people are told ({@code turns@10} → "8 of 10 turns used"): the ones to ping about
 */
public record BudgetCheck(String reached, List<String> near, java.util.Map<String, String> crossed) {

  /** Share of a limit at which the agent is told to wrap up. */
  static final double NEAR = 0.9;
  /** Share of a limit at which the people watching the run are told (a notification). */
  static final double CROSSED = 0.8;

  public static BudgetCheck of(Budget b, int turns, Usage usage, double hours) {
    List<String> near = new ArrayList<>();
    java.util.Map<String, String> crossed = new java.util.LinkedHashMap<>();
    String reached = null;
    if (b.maxTurns() != null) {
      if (turns >= b.maxTurns()) reached = "turn budget reached (" + turns + " of " + b.maxTurns() + ")";
      else if (b.maxTurns() - turns <= Math.max(2, Math.ceil(b.maxTurns() * (1 - NEAR))))
        near.add("turns");
      if (turns < b.maxTurns() && turns >= b.maxTurns() * CROSSED) crossed.put("turns@" + b.maxTurns(), turns + " of " + b.maxTurns() + " turns used");
    }
    if (b.maxHours() != null) {
      if (hours >= b.maxHours()) {
        if (reached == null)
          reached = String.format(Locale.ROOT, "time budget reached (%.2f of %.2f hours)", hours, b.maxHours());
      } else if (hours >= b.maxHours() * NEAR) near.add("hours");
      if (hours < b.maxHours() && hours >= b.maxHours() * CROSSED)
        crossed.put("hours@" + b.maxHours(), String.format(Locale.ROOT, "%.2f of %.2f hours used", hours, b.maxHours()));
    }
    if (b.maxTokens() != null) {
      if (usage.totalTokens() >= b.maxTokens()) {
        if (reached == null)
          reached = "token budget reached (" + usage.totalTokens() + " of " + b.maxTokens() + ")";
      } else if (usage.totalTokens() >= b.maxTokens() * NEAR) near.add("tokens");
      if (usage.totalTokens() < b.maxTokens() && usage.totalTokens() >= b.maxTokens() * CROSSED)
        crossed.put("tokens@" + b.maxTokens(), usage.totalTokens() + " of " + b.maxTokens() + " tokens used");
    }
    if (b.maxCostUsd() != null) {
      if (usage.costUsd() >= b.maxCostUsd()) {
        if (reached == null)
          reached = String.format(Locale.ROOT, "cost budget reached ($%.2f of $%.2f)", usage.costUsd(), b.maxCostUsd());
      } else if (usage.costUsd() >= b.maxCostUsd() * NEAR) near.add("cost");
      if (usage.costUsd() < b.maxCostUsd() && usage.costUsd() >= b.maxCostUsd() * CROSSED)
        crossed.put("cost@" + b.maxCostUsd(), String.format(Locale.ROOT, "$%.2f of $%.2f spent", usage.costUsd(), b.maxCostUsd()));
    }
    return new BudgetCheck(reached, near, crossed);
  }
}
