package dev.marathon.workflows.api;

/**
 * A tool result waiting to be shown to the model on its next turn. Either {@code ref} names the
 * stored, model-facing text (workspace tools), or {@code text} carries a short result produced by
 * the workflow itself (plan updates, rejected calls).
 */
public record Observation(String callId, String tool, String ref, String text) {

  public static Observation stored(String callId, String tool, String ref) {
    return new Observation(callId, tool, ref, null);
  }

  public static Observation inline(String callId, String tool, String text) {
    return new Observation(callId, tool, null, text);
  }
}
