package dev.marathon.workflows;

import static dev.marathon.workflows.ActivityFailures.describe;
import static dev.marathon.workflows.ActivityFailures.failureType;

import dev.marathon.workflows.api.CompactInput;
import dev.marathon.workflows.api.CompactResult;
import dev.marathon.workflows.api.ModelFailures;
import dev.marathon.workflows.api.Observation;
import dev.marathon.workflows.api.ThinkInput;
import dev.marathon.workflows.api.ThinkResult;
import dev.marathon.workflows.api.WorkspaceFailures;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

/**
 * The model's side of a turn: one model call with what the run has gathered since the last one
 * (tool results, the operator's messages, the runtime's notices), and keeping the conversation
 * inside the context window (compaction, before it overflows or when the server says it did).
 */
final class Thinking {
  private static final Logger log = Workflow.getLogger(Thinking.class);
  /** Recent turns that compaction keeps verbatim, reasoning included. */
  private static final int KEEP_TURNS_ON_COMPACT = 8;

  private final LiveRun run;
  private final RunState state;

  Thinking(LiveRun run) {
    this.run = run;
    this.state = run.state;
  }

  /** One model turn. Returns null when the turn could not happen (paused, compacted, stopped). */
  ThinkResult think() {
    run.step(Phase.Step.THINKING);
    run.publish();
    // Handlers may add messages while the model thinks: only those sent now are cleared after.
    int steeringCount = state.conversation.steering.size();
    int noticeCount = state.conversation.notices.size();
    List<String> messages = new ArrayList<>();
    for (String s : state.conversation.steering) messages.add("Message from the operator: " + s);
    messages.addAll(state.conversation.notices);
    int turn = state.turn + 1;
    ThinkInput input = new ThinkInput(state.spec.runId(), turn, state.conversation.contextRef,
        List.copyOf(state.conversation.observations), messages, state.spec.model(), run.role.coordinates(), state.workspaceRef, state.mcpToolsRef);
    run.thinking = true;
    try {
      ThinkResult r =
          run.cancellable(() -> run.stubs.model("model: turn " + turn + " (" + state.spec.model().model() + ")").think(input));
      state.turn = turn;
      state.conversation.contextRef = r.contextRef();
      state.spending.usage = state.spending.usage.plus(r.usage());
      if (r.contextWindow() != null) state.conversation.contextWindow = r.contextWindow();
      state.conversation.observations.clear();
      state.conversation.steering.subList(0, steeringCount).clear();
      state.conversation.notices.subList(0, noticeCount).clear();
      return r;
    } catch (ActivityFailure | CanceledFailure f) {
      onModelFailure(f);
      return null;
    } finally {
      run.thinking = false;
    }
  }

  /** Compacts when the next prompt (the conversation plus what the next turn adds) nears the window. */
  void compactIfNearWindow() {
    long window = state.contextWindow();
    if (window > 0 && nextPromptTokens() * 100 >= window * state.spec.options().compactAtPercent()) compact();
  }

  private long nextPromptTokens() {
    long chars = 0;
    for (Observation o : state.conversation.observations) chars += o.chars();
    for (String s : state.conversation.steering) chars += s.length();
    for (String n : state.conversation.notices) chars += n.length();
    return state.spending.usage.contextTokens() + chars / 4;
  }

  /** Returns true when the conversation got shorter; on any failure the old context stays. */
  private boolean compact() {
    run.step(Phase.Step.COMPACTING);
    run.publish();
    long window = state.contextWindow();
    // Half the window, less what the next turn will add (tool results not yet in the conversation).
    long pending = nextPromptTokens() - state.spending.usage.contextTokens();
    long target = window > 0 ? Math.max(window / 2 - pending, window / 8) : 0;
    CompactInput input = new CompactInput(state.spec.runId(), state.turn, state.conversation.contextRef,
        target, KEEP_TURNS_ON_COMPACT, List.copyOf(state.plan), state.spec.model());
    try {
      CompactResult r = run.cancellable(() -> run.stubs.model("compact: turn " + state.turn).compact(input));
      if (r.note() != null) state.recordAction("compaction: " + r.note());
      if (r.contextRef().equals(state.conversation.contextRef)) {
        state.spending.usage = state.spending.usage.plus(r.usage().withContextTokens(state.spending.usage.contextTokens()));
        return false;
      }
      state.spending.usage = state.spending.usage.plus(r.usage());
      state.conversation.contextRef = r.contextRef();
      state.conversation.compactions++;
      return true;
    } catch (ActivityFailure | CanceledFailure f) {
      log.warn("compaction failed, keeping the old context: {}", describe(f));
      return false;
    }
  }

  /** An overflowing context is compacted; any other model failure pauses the run (a stop at once just stops). */
  private void onModelFailure(TemporalFailure f) {
    if (state.lifecycle.stopsNow()) return;
    if (ModelFailures.CONTEXT_OVERFLOW.equals(failureType(f))) {
      Long window = ActivityFailures.reportedWindow(f);
      if (window != null) state.conversation.contextWindow = window;
      if (!compact()) run.pauseFor(Pause.Cause.MODEL_ERROR,
          "the conversation no longer fits the context window and compaction could not shrink it: " + describe(f));
      return;
    }
    run.pauseFor(WorkspaceFailures.STORE_CORRUPT.equals(failureType(f)) ? Pause.Cause.STORE_ERROR : Pause.Cause.MODEL_ERROR, describe(f));
  }
}
