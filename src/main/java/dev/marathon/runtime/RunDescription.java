package dev.marathon.runtime;

import dev.marathon.workflows.Budget;
import dev.marathon.workflows.Containment;
import dev.marathon.workflows.RunSpec;
import dev.marathon.workflows.RunState;
import dev.marathon.workflows.Text;
import java.util.Locale;

/**
 * How a run presents itself in the Web UI: the one-line static summary and the static details
 * (Markdown) a person sees when opening it, including how to steer it.
 */
public final class RunDescription {

  public static String summary(RunSpec spec) {
    return Text.oneLineBytes(spec.title(), 200);
  }

  public static String details(RunState s) {
    RunSpec spec = s.spec;
    Budget b = s.spending.budget;
    StringBuilder md = new StringBuilder();
    md.append("## ").append(Text.oneLine(spec.title(), 200)).append("\n\n");
    md.append("| | |\n|---|---|\n");
    md.append("| repository | `").append(spec.repo()).append("` |\n");
    md.append("| branch | `").append(spec.branch()).append("` |\n");
    md.append("| model | `").append(spec.model().model()).append("` at ").append(spec.model().baseUrl()).append(" |\n");
    md.append("| budget | ").append(budget(b)).append(" |\n");
    Containment c = spec.options().containment();
    md.append("| commands | ").append(c.describe()).append(" |\n");
    if (!c.sandbox()) md.append("\n> ⚠ **No sandbox.** ").append(c.describe()).append(".\n");
    md.append("\n### Steer it\n");
    md.append("- `./marathon steer ").append(spec.runId()).append(" \"message\"` — or the **steer** update here (a JSON string)\n");
    md.append("- `./marathon pause|unpause|finish ").append(spec.runId()).append("` — or the **pause** / **unpause** / **finish** signals\n");
    md.append("- `./marathon cancel ").append(spec.runId()).append("` (graceful; again or `--now` to stop at once) — or **Request Cancellation**\n");
    md.append("- `./marathon budget ").append(spec.runId()).append(" --max-turns N` — or the **budget** update\n");
    md.append("\nLive plan, turn and usage: **Current Details** above; the `progress` query returns them as JSON.\n");
    return md.toString();
  }

  /** A budget in words: "200 turns, 12.0 hours" or "unlimited". */
  public static String budget(Budget b) {
    StringBuilder sb = new StringBuilder();
    if (b.maxTurns() != null) sb.append(b.maxTurns()).append(" turns, ");
    if (b.maxHours() != null) sb.append(String.format(Locale.ROOT, "%.1f hours, ", b.maxHours()));
    if (b.maxTokens() != null) sb.append(String.format(Locale.ROOT, "%,d tokens, ", b.maxTokens()));
    if (b.maxCostUsd() != null) sb.append(String.format(Locale.ROOT, "$%.2f, ", b.maxCostUsd()));
    return sb.length() == 0 ? "unlimited" : sb.substring(0, sb.length() - 2);
  }

  private RunDescription() {}
}
