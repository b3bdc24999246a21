package dev.marathon.workflows;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * How far the first not-yet-performed call of the turn in progress got. A turn's calls are
 * performed in order, and a pause (a broken workspace, a failed merge) can come between any two;
 * the turn goes on from the first pending call afterwards, and this says whether that call is to
 * be counted, made, or made again.
 *
 * <pre>
 *   NotStarted ──perform──▶ Started ──done──▶ (next call: NotStarted)
 *                              │  ▲
 *                       broke  ▼  │ a workspace call or a wait made again after the pause
 *                             Broken
 * </pre>
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "progress", defaultImpl = PendingCall.NotStarted.class)
@JsonSubTypes({
  @JsonSubTypes.Type(value = PendingCall.NotStarted.class, name = "not-started"),
  @JsonSubTypes.Type(value = PendingCall.Started.class, name = "started"),
  @JsonSubTypes.Type(value = PendingCall.Broken.class, name = "broken")
})
public sealed interface PendingCall {

  PendingCall NOT_STARTED = new NotStarted();
  PendingCall STARTED = new Started();
  PendingCall BROKEN = new Broken();

  /** Not begun: it is counted when it begins, and it may go in a batch with the calls after it. */
  record NotStarted() implements PendingCall {}

  /** Begun and counted (a wait for sub-agents may span continue-as-new): not counted again. */
  record Started() implements PendingCall {}

  /**
   * It failed in a way that paused the run (a broken workspace, a failed merge): it is made again
   * after the pause. The mark stays until a workspace call or a wait takes it (a call skipped
   * while the run ends does not), and no call is counted while it is there, as before.
   */
  record Broken() implements PendingCall {}

  /**
   * The flags runs carried before commit 245cbe9 of 2026-12-03 ({@code pendingCallFailed},
   * {@code pendingCallStarted}), read into today's shape.
   */
  static PendingCall fromLegacy(boolean failed, boolean started) {
    if (failed) return BROKEN;
    return started ? STARTED : NOT_STARTED;
  }
}
