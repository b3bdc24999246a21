package dev.marathon.testing;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.call;
import static dev.marathon.testing.ScriptedModel.finish;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.testing.ScriptedModel.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A deterministic agent for crash tests: every fourth turn appends a line to {@code counter.txt}
 * with bash (so a step done twice shows), the others write, edit and plan. Chosen turns can be
 * slow: a long-thinking model call, a long tool, a tool whose effect comes late.
 */
public final class CrashScript implements ScriptedModel.Script {
  private final int turns;
  private final Set<Integer> longTools;
  private final Set<Integer> lateEffects;
  private final Set<Integer> slowThinking;
  private final Set<Integer> slowedOnce = ConcurrentHashMap.newKeySet();

  public CrashScript(int turns, Set<Integer> longTools, Set<Integer> lateEffects, Set<Integer> slowThinking) {
    this.turns = turns;
    this.longTools = longTools;
    this.lateEffects = lateEffects;
    this.slowThinking = slowThinking;
  }

  public static String reasoning(int turn) {
    return "Reasoning of turn " + turn + ": the plan holds; next I do step " + turn + ".\n  (verbatim ✓)";
  }

  @Override
  public Reply reply(int turn, JsonNode request) {
    if (slowThinking.contains(turn) && slowedOnce.add(turn)) sleep(4_000); // the first attempt thinks long
    String r = reasoning(turn);
    if (turn >= turns) return Reply.tools(r, finish("all " + turns + " turns done"));
    return switch (turn % 4) {
      case 1 -> Reply.tools(r, bash(command(turn)));
      case 2 -> Reply.tools(r, call("write_file", Map.of("path", "notes/n" + turn + ".txt", "content", "note of turn " + turn + "\n")));
      case 3 -> Reply.tools(r, call("edit_file", Map.of("path", "notes/n" + (turn - 1) + ".txt", "old_string", "note of", "new_string", "edited note of")));
      default -> Reply.tools(r, call("update_plan", Map.of("steps", List.of(
          Map.of("step", "steps before " + turn, "status", "completed"),
          Map.of("step", "steps after " + turn, "status", "in_progress")))), call("read_file", Map.of("path", "counter.txt")));
    };
  }

  private String command(int turn) {
    if (lateEffects.contains(turn)) return "sleep 2; echo late-" + turn + " >> counter.txt; sleep 2";
    if (longTools.contains(turn)) return "echo step-" + turn + " >> counter.txt; sleep 5";
    return "echo step-" + turn + " >> counter.txt";
  }

  /** What counter.txt must hold at the end if every bash step took effect exactly once. */
  public String expectedCounter() {
    List<String> lines = new ArrayList<>();
    for (int t = 1; t < turns; t++) {
      if (t % 4 == 1) lines.add((lateEffects.contains(t) ? "late-" : "step-") + t);
    }
    return String.join("\n", lines) + "\n";
  }

  public int turns() {
    return turns;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
