package dev.marathon.workflows;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.marathon.workflows.api.ToolCall;
import java.util.ArrayList;
import java.util.List;

/**
 * The tool calls of the turn in progress, a part of {@link RunState}: those not performed yet, all
 * of them (the stuck detector compares whole turns), and how far the first pending one got.
 * Empty between turns.
 */
public final class TurnCalls {
  /** Not performed yet, in order: a pause can come between two of them, and the turn goes on from here. */
  @JsonProperty("pendingCalls")
  public List<ToolCall> pending = new ArrayList<>();
  /** Every call of the turn. */
  @JsonProperty("turnCalls")
  public List<ToolCall> all = new ArrayList<>();
  /** How far the first pending call got. */
  @JsonProperty("pendingCall")
  public PendingCall first = PendingCall.NOT_STARTED;

  /** A new turn made these calls. */
  void start(List<ToolCall> calls) {
    all = new ArrayList<>(calls);
    pending = new ArrayList<>(calls);
    first = PendingCall.NOT_STARTED;
  }

  /** The turn was given up (a rewind): nothing is pending. */
  void clear() {
    start(List.of());
  }

  boolean inProgress() {
    return !pending.isEmpty();
  }

  /**
   * The first pending call was performed: the next one has not started, unless a broken mark is
   * still waiting for the call it is for (a call the run skipped while ending does not take it).
   */
  ToolCall done() {
    if (!(first instanceof PendingCall.Broken)) first = PendingCall.NOT_STARTED;
    return pending.remove(0);
  }

  /** This state in today's shape, whichever version wrote it. */
  TurnCalls migrated(boolean legacyFailed, boolean legacyStarted) {
    if (pending == null) pending = new ArrayList<>();
    if (all == null) all = new ArrayList<>();
    // A state with only the flags (before PendingCall) says it with them; one with both agrees.
    if (first == null || first instanceof PendingCall.NotStarted) first = PendingCall.fromLegacy(legacyFailed, legacyStarted);
    return this;
  }
}
