package dev.marathon.runtime;

import dev.marathon.activities.store.Message;
import dev.marathon.activities.tools.Arguments;
import dev.marathon.activities.tools.ToolException;
import dev.marathon.activities.tools.UpdatePlanTool;
import dev.marathon.workflows.PlanStep;
import dev.marathon.workflows.Rewind;
import dev.marathon.workflows.RunSpec;
import dev.marathon.workflows.RunState;
import dev.marathon.workflows.Usage;
import dev.marathon.workflows.api.Observation;
import dev.marathon.workflows.api.ToolCall;
import java.util.ArrayList;
import java.util.List;

/**
 * A run as it was right after turn {@code turn}'s tool results: the conversation the next turn
 * would have been given (compacted or not, as it was), those results, the workspace snapshot, the
 * plan, the counts and the spending. What {@code fork} starts a new run from and {@code rewind}
 * puts a run back to.
 */
public record RunAt(int turn, String contextRef, List<Observation> observations, String workspaceRef, List<PlanStep> plan,
    int toolCalls, Usage usage) {

  /**
   * @param current the run's state now: needed only when {@code n} is its last turn (whose results
   *     no later turn has recorded yet)
   */
  public static RunAt of(RunTranscript transcript, int n, RunState current, String runId) {
    int last = transcript.lastTurn();
    if (n < 1 || n > last) {
      throw new IllegalArgumentException("turn " + n + " is outside run " + runId + "'s turns" + (last == 0 ? " (it has none yet)" : " 1.." + last));
    }
    RunTranscript.Turn next = transcript.turn(n + 1);
    String contextRef;
    List<Observation> observations = new ArrayList<>();
    String workspaceRef;
    if (next != null) {
      if (next.meta() == null || next.meta().workspaceRef() == null) {
        throw new IllegalArgumentException("run " + runId + " was recorded before Marathon kept each turn's workspace (commit c47e2bf,"
            + " 2026-12-01); only its last turn can be forked");
      }
      contextRef = next.before();
      for (Message m : next.toolResults()) observations.add(observation(m));
      workspaceRef = next.meta().workspaceRef();
    } else {
      if (current == null || current.workspaceRef == null) {
        throw new IllegalArgumentException("the state after run " + runId + "'s last turn cannot be read (no worker could replay it)");
      }
      contextRef = current.conversation.contextRef;
      observations.addAll(current.conversation.observations);
      workspaceRef = current.workspaceRef;
    }
    List<PlanStep> plan = List.of();
    int calls = 0;
    long prompt = 0;
    long completion = 0;
    long cached = 0;
    double cost = 0;
    for (RunTranscript.Turn t : transcript.turns()) {
      if (t.number() > n) break;
      if (t.reply() != null) {
        calls += t.reply().calls().size();
        for (Message.Call c : t.reply().calls()) if (c.name().equals(ToolCall.UpdatePlan.NAME)) plan = planOf(c.arguments(), plan);
      }
      if (t.meta() != null) {
        prompt += t.meta().promptTokens();
        completion += t.meta().completionTokens();
        cached += t.meta().cachedTokens();
        cost += t.meta().costUsd();
      }
    }
    return new RunAt(n, contextRef, List.copyOf(observations), workspaceRef, plan, calls, new Usage(prompt, completion, cached, cost, 0));
  }

  /**
   * A fresh state for {@code spec} that goes on from here: the conversation, results, plan and
   * counts of this moment, {@code source}'s budget and learned context window, {@code spent} as its
   * usage. The workspace is left for the caller (a fork begins on a copy; a rewind is already there).
   */
  public RunState stateFor(RunSpec spec, RunState source, Usage spent) {
    RunState s = RunState.start(spec, null, source.spending.budget);
    s.goBackTo(rewind());
    s.workspaceRef = null; // a fork's Begin puts its workspace at the snapshot; a rewind sets it itself
    s.spending.usage = spent;
    s.conversation.contextWindow = source.conversation.contextWindow;
    s.mcpToolsRef = source.mcpToolsRef; // the tools its conversation was offered, not a new listing
    return s;
  }

  /** The update that puts a paused run back to this moment. */
  public Rewind rewind() {
    return new Rewind(turn, contextRef, observations, workspaceRef, plan, toolCalls);
  }

  static Observation observation(Message m) {
    String text = m.content() == null ? "" : m.content();
    return m.contentRef() != null ? Observation.stored(m.toolCallId(), m.name(), m.contentRef(), text.length())
        : Observation.inline(m.toolCallId(), m.name(), text);
  }

  /** The plan an {@code update_plan} call set, read as the run read it; a refused one left the plan as it was. */
  static List<PlanStep> planOf(String arguments, List<PlanStep> before) {
    try {
      return ((ToolCall.UpdatePlan) new UpdatePlanTool().call("", Arguments.parse(ToolCall.UpdatePlan.NAME, arguments))).steps();
    } catch (ToolException refused) {
      return before;
    }
  }
}
