package dev.marathon.workflows;

import java.util.Locale;

/**
 * A coordinator's sub-agents as people and the model see them, and the swarm's totals its budget
 * is checked against. Pure: read from the run's state, so it is tested without Temporal.
 */
final class SubAgents {
  static final int TITLE_CHARS = 60;
  /** Rows of the Web UI's table; the rest are counted (Current Details must stay small). */
  static final int TABLE_ROWS = 40;

  /** Turns of the coordinator and of every sub-agent. */
  static int turns(RunState s) {
    int t = s.turn;
    for (SubAgent a : s.swarm.agents) t += a.turn;
    return t;
  }

  /** The coordinator's spending and its sub-agents' (as last heard). */
  static Usage usage(RunState s) {
    long tokens = 0;
    double cost = 0;
    for (SubAgent a : s.swarm.agents) {
      tokens += a.tokens;
      cost += a.costUsd;
    }
    Usage u = s.spending.usage;
    return new Usage(u.promptTokens() + tokens, u.completionTokens(), u.cachedTokens(), u.costUsd() + cost, u.contextTokens());
  }

  /** A count by state and the swarm's usage, then one line per sub-agent (a Markdown table for the Web UI). */
  static String table(RunState s, boolean markdown) {
    int[] counts = new int[SubAgent.State.values().length];
    int collected = 0;
    for (SubAgent a : s.swarm.agents) {
      counts[a.state.ordinal()]++;
      if (a.collected) collected++;
    }
    Usage u = usage(s);
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "%d sub-agents: %d running, %d queued, %d paused, %d ended (%d collected). Swarm: %d turns, %,d tokens, $%.4f.%n",
        s.swarm.agents.size(), counts[SubAgent.State.RUNNING.ordinal()], counts[SubAgent.State.QUEUED.ordinal()],
        counts[SubAgent.State.PAUSED.ordinal()], counts[SubAgent.State.ENDED.ordinal()], collected, turns(s), u.totalTokens(),
        u.costUsd()));
    if (markdown && !s.swarm.agents.isEmpty()) sb.append("\n| agent | title | state | turn | last step | cost |\n|---|---|---|---|---|---|\n");
    int shown = 0;
    for (SubAgent a : s.swarm.agents) {
      if (markdown && shown++ >= TABLE_ROWS) {
        sb.append("\n_and ").append(s.swarm.agents.size() - TABLE_ROWS).append(" more: `./marathon status ").append(s.spec.runId())
            .append(" --json`_\n");
        break;
      }
      String state = stateWord(a);
      String last = a.reason != null && (a.state == SubAgent.State.PAUSED || a.state == SubAgent.State.ENDED) ? a.reason : a.lastStep;
      if (markdown) {
        sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %s | $%.4f |%n", a.id, cell(a.title), state, a.turn,
            cell(last == null ? "" : last), a.costUsd));
      } else {
        sb.append(String.format(Locale.ROOT, "- %s [%s] %s · turn %d · $%.4f%s%n", a.id, state, Text.oneLine(a.title, TITLE_CHARS),
            a.turn, a.costUsd, last == null ? "" : " · " + Text.oneLine(last, 100)));
      }
    }
    return sb.toString();
  }

  /** {@code queued}, {@code running}, {@code paused}, or how it ended ({@code finished, collected}). */
  static String stateWord(SubAgent a) {
    return a.state == SubAgent.State.ENDED ? a.outcome + (a.collected ? ", collected" : "") : a.state.name().toLowerCase(Locale.ROOT);
  }

  private static String cell(String s) {
    return Text.oneLine(s, TITLE_CHARS).replace('|', '/');
  }

  private SubAgents() {}
}
