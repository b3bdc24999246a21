package dev.marathon.workflows.api;

/**
 * A tool result waiting to be shown to the model on its next turn. Either {@code ref} names the
 * stored, model-facing text (workspace tools), or {@code text} carries a short result produced by
 * the workflow itself (plan updates, rejected calls).
 *
 * @param chars the length of the text, so the next prompt's size can be forecast
 */
public record Observation(String callId, String tool, String ref, String text, int chars) {

  public static Observation stored(String callId, String tool, String ref, int chars) {
    return new Observation(callId, tool, ref, null, chars);
  }

  public static Observation inline(String callId, String tool, String text) {
    return new Observation(callId, tool, null, text, text.length());
  }
}
