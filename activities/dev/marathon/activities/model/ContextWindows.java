package dev.marathon.activities.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.activities.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Map<String, Long> known = new ConcurrentHashMap<>();

  public Long of(String baseUrl, String model) {
    Long w = known.computeIfAbsent(baseUrl + " " + model, k -> ask(baseUrl, model));
    return w == 0 ? null : w;
  }

  private long ask(String baseUrl, String model) {
    try {
      String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/models")).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) return 0;
      return fromModels(Json.MAPPER.readTree(r.body()), model);
    } catch (Exception unknown) {
      return 0;
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
