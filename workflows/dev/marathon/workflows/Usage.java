package dev.marathon.workflows;

/**
 * Tokens and money spent so far. {@code lastPromptTokens} is the size of the most recent prompt:
 * it is what context compaction compares against the model's window.
 */
public record Usage(
    long promptTokens, long completionTokens, long cachedTokens, double costUsd, long lastPromptTokens) {

  public static final Usage ZERO = new Usage(0, 0, 0, 0.0, 0);

  public Usage plus(Usage turn) {
    return new Usage(
        promptTokens + turn.promptTokens,
        completionTokens + turn.completionTokens,
        cachedTokens + turn.cachedTokens,
        costUsd + turn.costUsd,
        turn.promptTokens);
  }

  /** The same totals with the last prompt size replaced (after compaction shrank the context). */
  public Usage withLastPrompt(long tokens) {
    return new Usage(promptTokens, completionTokens, cachedTokens, costUsd, tokens);
  }

  public long totalTokens() {
    return promptTokens + completionTokens;
  }
}
