package dev.marathon.workflows;

/**
 * Tokens and money spent so far. {@code contextTokens} is the size of the conversation after the
 * last turn (its prompt plus its reply): what context compaction compares against the window.
 */
public record Usage(
    long promptTokens, long completionTokens, long cachedTokens, double costUsd, long contextTokens) {

  public static final Usage ZERO = new Usage(0, 0, 0, 0.0, 0);

  /** Adds a turn's spending; the conversation is now as large as that turn says. */
  public Usage plus(Usage turn) {
    return new Usage(
        promptTokens + turn.promptTokens,
        completionTokens + turn.completionTokens,
        cachedTokens + turn.cachedTokens,
        costUsd + turn.costUsd,
        turn.contextTokens);
  }

  /** The same spending with a different conversation size. */
  public Usage withContextTokens(long tokens) {
    return new Usage(promptTokens, completionTokens, cachedTokens, costUsd, tokens);
  }

  public long totalTokens() {
    return promptTokens + completionTokens;
  }
}
