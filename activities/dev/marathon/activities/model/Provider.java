package dev.marathon.activities.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.marathon.workflows.ModelSettings;
import java.net.URI;
import java.util.Locale;

/**
 * The quirks of each OpenAI-compatible provider that matter to a long agent run: how thinking is
 * switched on and preserved, which max-tokens field is read, and whether earlier reasoning may
 * (or must) be sent back. See docs/model-protocol.md.
 */
public enum Provider {
  /** Z.AI / Zhipu GLM: preserved thinking needs {@code clear_thinking: false}. */
  GLM,
  /** Moonshot Kimi: {@code thinking.keep = all}; tool-call turns must carry reasoning. */
  KIMI,
  /** DeepSeek: reasoning of tool-call turns must be passed back. */
  DEEPSEEK,
  /** OpenAI: never send reasoning back; reads {@code max_completion_tokens}. */
  OPENAI,
  /** Local servers (Ollama, vLLM, llama.cpp) and anything else: echo reasoning as received. */
  GENERIC,
  /** The embedded local model (served by this or another Marathon process): as {@link #GENERIC}. */
  LOCAL;

  /** The provider a run's model settings name, or the one their base URL points at when they name none. */
  public static Provider of(ModelSettings settings) {
    return of(settings.provider(), settings.baseUrl());
  }

  /** The named provider, or one detected from the base URL when {@code name} is null. */
  public static Provider of(String name, String baseUrl) {
    if (name != null && !name.isBlank()) {
      try {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "unknown provider '" + name + "': use glm, kimi, deepseek, openai, generic or local");
      }
    }
    String host = hostOf(baseUrl);
    if (host.endsWith("z.ai") || host.endsWith("bigmodel.cn")) return GLM;
    if (host.contains("moonshot")) return KIMI;
    if (host.contains("deepseek")) return DEEPSEEK;
    if (host.equals("api.openai.com")) return OPENAI;
    return GENERIC;
  }

  private static String hostOf(String baseUrl) {
    try {
      String host = URI.create(baseUrl).getHost();
      return host == null ? "" : host.toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      return "";
    }
  }

  /** Whether earlier turns' reasoning goes back to the model (preserved thinking). */
  public boolean echoesReasoning() {
    return this != OPENAI;
  }

  /** Whether a tool-call turn must carry a reasoning field even when it had none. */
  public boolean requiresReasoningOnToolCalls() {
    return this == KIMI || this == DEEPSEEK;
  }

  /** Adds the provider's thinking switches and its max-tokens field to a request body. */
  public void decorate(ObjectNode body, int maxOutputTokens) {
    if (maxOutputTokens > 0) body.put(this == OPENAI ? "max_completion_tokens" : "max_tokens", maxOutputTokens);
    switch (this) {
      case GLM -> body.putObject("thinking").put("type", "enabled").put("clear_thinking", false);
      case KIMI -> body.putObject("thinking").put("keep", "all");
      default -> { }
    }
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
