package dev.marathon.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.marathon.workflows.api.ToolCall;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The first pending call's progress moves as the two flags it replaced did (recorded histories depend on it). */
class TurnCallsTest {
  static final ToolCall BASH = new ToolCall.Workspace("c1", "bash", "h1", "bash: make", null, 0);
  static final ToolCall WAIT = new ToolCall.WaitAgents("c2", List.of());

  @Test
  void aBrokenMarkStaysUntilTheCallItIsForTakesIt() {
    TurnCalls calls = new TurnCalls();
    calls.start(List.of(WAIT, BASH));
    assertEquals(PendingCall.NOT_STARTED, calls.first);
    calls.first = PendingCall.BROKEN; // the merge failed and paused the run
    calls.done(); // the wait was skipped because the run is ending at once: the mark is not taken
    assertEquals(PendingCall.BROKEN, calls.first, "the next call is not counted, and goes through the retry path, as before");
    calls.first = PendingCall.STARTED; // a workspace call takes it
    calls.done();
    assertEquals(PendingCall.NOT_STARTED, calls.first);
  }

  @Test
  void theFlagsOfAStateBeforePendingCallReadIntoIt() {
    assertEquals(PendingCall.BROKEN, new TurnCalls().migrated(true, false).first, "failed before 'started' existed");
    assertEquals(PendingCall.BROKEN, new TurnCalls().migrated(true, true).first);
    assertEquals(PendingCall.STARTED, new TurnCalls().migrated(false, true).first);
    assertEquals(PendingCall.NOT_STARTED, new TurnCalls().migrated(false, false).first);
    TurnCalls started = new TurnCalls();
    started.first = PendingCall.STARTED;
    assertEquals(PendingCall.STARTED, started.migrated(false, true).first, "a state with both agrees");
  }
}
