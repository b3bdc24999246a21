package dev.marathon.workflows;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.marathon.workflows.api.ToolCall;
import java.util.ArrayList;
import java.util.List;

/**
 * The tool calls of the turn in progress, a part of {@link RunState}: those not performed yet, all
 * of them (the stuck detector compares whole turns), how far the first pending one got, and
 * whether the rest must go one by one. Empty between turns.
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
  /** A batch of this turn's calls stopped early: the rest go one by one. */
  public boolean batchStopped;

  /** A new turn made these calls. */
  void start(List<ToolCall> calls) {
    all = new ArrayList<>(calls);
    pending = new ArrayList<>(calls);
    first = PendingCall.NOT_STARTED;
    batchStopped = false;
  }

  /** The turn was given up (a rewind): nothing is pending. */
  void clear() {
    start(List.of());
  }

  boolean inProgress() {
    return !pending.isEmpty();
  }

  /** The first pending call was performed: the next one has not started. */
  ToolCall done() {
    first = PendingCall.NOT_STARTED;
    return pending.remove(0);
  }

  /** This state in today's shape, whichever version wrote it. */
  TurnCalls migrated(boolean legacyFailed, boolean legacyStarted) {
    if (pending == null) pending = new ArrayList<>();
    if (all == null) all = new ArrayList<>();
    if (first == null || legacyFailed || legacyStarted) first = PendingCall.fromLegacy(legacyFailed, legacyStarted);
    return this;
  }
}
