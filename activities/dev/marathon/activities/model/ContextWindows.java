package dev.marathon.activities.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.activities.Json;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The context window a server actually gives, learned from {@code GET {base}/models}: llama.cpp
 * reports {@code meta.n_ctx} (the size it was started with, often far below the model's own), vLLM
 * {@code max_model_len}. Asked once per server and model by each worker; null when the server does
 * not say.
 */
public final class ContextWindows {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration TICK = Duration.ofSeconds(1);
  private final KeptConnections http = new KeptConnections(Duration.ofSeconds(5));
  private final Map<String, Long> known = new ConcurrentHashMap<>();

  public Long of(String baseUrl, String model) {
    Long w = known.computeIfAbsent(baseUrl + " " + model, k -> ask(baseUrl, model));
    return w == 0 ? null : w;
  }

  private long ask(String baseUrl, String model) {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    long deadline = System.nanoTime() + WAIT.toNanos();
    try (KeptConnections.Exchange e = http.get(URI.create(base + "/models"), Map.of("Accept", "application/json"), TICK, deadline)) {
      if (e.answer.status() != 200) return 0;
      while (true) {
        try {
          return fromModels(Json.MAPPER.readTree(e.answer.readBodyText()), model);
        } catch (java.net.SocketTimeoutException silent) {
          if (System.nanoTime() > deadline) return 0;
        }
      }
    } catch (Exception unknown) {
      return 0; // a server that does not say (or cannot, in time): the preset's window stands
    }
  }

  /** The window in a {@code /models} answer for {@code model} (or its only entry), or 0. */
  static long fromModels(JsonNode root, String model) {
    JsonNode data = root.path("data");
    for (JsonNode m : data) {
      if (data.size() > 1 && !model.equals(m.path("id").asText())) continue;
      long w = m.path("meta").path("n_ctx").asLong(m.path("max_model_len").asLong(0));
      if (w > 0) return w;
    }
    return 0;
  }
}
