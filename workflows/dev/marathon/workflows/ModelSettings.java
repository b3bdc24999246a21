package dev.marathon.workflows;

/**
 * Which model a run talks to. The API key itself is never here: only the name of the environment
 * variable that holds it on the worker, so the key stays out of Temporal history.
 *
 * @param baseUrl OpenAI-compatible base, e.g. {@code https://api.z.ai/api/paas/v4}
 * @param model model id, e.g. {@code glm-5.1}
 * @param apiKeyEnv name of the worker's environment variable holding the key (may be unset for
 *     local servers)
 * @param provider provider quirks to apply ({@code glm}, {@code kimi}, {@code deepseek}, {@code
 *     openai}, {@code generic}, {@code local}: the embedded model); null means detect from the base URL
 * @param contextWindow the model's context window in tokens; compaction starts before it fills
 * @param maxOutputTokens cap on one completion
 * @param price price per million tokens; null means look it up in the price table
 * @param stream whether replies are streamed (SSE); null means yes (runs started before commit
 *     9617459 of 2026-11-30, which added streaming, have none: they stream from then on)
 */
public record ModelSettings(
    String baseUrl,
    String model,
    String apiKeyEnv,
    String provider,
    long contextWindow,
    int maxOutputTokens,
    Price price,
    Boolean stream) {

  /** Settings that stream (the default). */
  public ModelSettings(String baseUrl, String model, String apiKeyEnv, String provider, long contextWindow, int maxOutputTokens, Price price) {
    this(baseUrl, model, apiKeyEnv, provider, contextWindow, maxOutputTokens, price, null);
  }

  public boolean streams() {
    return stream == null || stream;
  }

  /**
   * The window a prompt must fit: the configured one, or the one the server says it gives
   * ({@code learned}, null when it did not say) when that is smaller or none is configured.
   */
  public long windowWith(Long learned) {
    return learned != null && (contextWindow <= 0 || learned < contextWindow) ? learned : contextWindow;
  }

  /** US dollars per million tokens: fresh input, cached input, output. */
  public record Price(double input, double cachedInput, double output) {
    public double cost(long promptTokens, long cachedTokens, long completionTokens) {
      long fresh = Math.max(0, promptTokens - cachedTokens);
      return (fresh * input + cachedTokens * cachedInput + completionTokens * output) / 1_000_000.0;
    }
  }
}
