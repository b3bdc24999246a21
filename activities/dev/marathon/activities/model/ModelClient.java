package dev.marathon.activities.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.marathon.activities.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An OpenAI-compatible chat completions client over {@code java.net.http}. It does not retry:
 * it classifies each failure once ({@link ModelException.Kind}) and the activity's retry policy
 * acts on it, honouring Retry-After.
 */
public final class ModelClient {
  /** Called while waiting for the model; throwing from it abandons the call (activity cancelled). */
  @FunctionalInterface
  public interface WhileWaiting {
    void tick();
  }

  private static final Duration TICK = Duration.ofSeconds(2);
  private final HttpClient http;
  private final Duration timeout;

  public ModelClient(Duration timeout) {
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
    this.timeout = timeout;
  }

  /**
   * Sends one completion request and parses the reply.
   *
   * @param headers extra headers (e.g. the run id and turn, which proxies can log)
   */
  public ModelReply complete(
      ModelEndpoint endpoint, ObjectNode body, int turn, Map<String, String> headers, WhileWaiting waiting) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint.completionsUrl()))
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(serialize(body)));
    if (endpoint.apiKey() != null && !endpoint.apiKey().isEmpty()) {
      request.header("Authorization", "Bearer " + endpoint.apiKey());
    }
    headers.forEach(request::header);
    HttpResponse<String> response = await(http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()), endpoint, waiting);
    int status = response.statusCode();
    if (status / 100 != 2) {
      Optional<String> retryAfter = response.headers().firstValue("retry-after-ms").map(v -> v + "ms")
          .or(() -> response.headers().firstValue("retry-after"));
      throw ModelErrors.classify(status, response.body(), retryAfter, endpoint.completionsUrl(), endpoint.keyEnv());
    }
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new ModelException(ModelException.Kind.RETRYABLE,
          "the model endpoint " + endpoint.completionsUrl() + " answered with invalid JSON: " + ChatResponse.abbreviate(response.body()), null);
    }
    ModelReply reply = ChatResponse.parse(root, turn);
    if ("model_context_window_exceeded".equals(reply.finishReason())) {
      throw new ModelException(ModelException.Kind.CONTEXT_OVERFLOW,
          "the model stopped: context window exceeded (finish_reason model_context_window_exceeded)", null);
    }
    return reply;
  }

  private HttpResponse<String> await(
      CompletableFuture<HttpResponse<String>> call, ModelEndpoint endpoint, WhileWaiting waiting) {
    try {
      while (true) {
        try {
          return call.get(TICK.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException stillWaiting) {
          try {
            waiting.tick();
          } catch (RuntimeException cancelled) {
            call.cancel(true);
            throw cancelled;
          }
        }
      }
    } catch (InterruptedException e) {
      call.cancel(true);
      Thread.currentThread().interrupt();
      throw new ModelException(ModelException.Kind.RETRYABLE, "interrupted while waiting for the model", null);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw new ModelException(ModelException.Kind.RETRYABLE,
          "cannot reach the model endpoint " + endpoint.completionsUrl() + ": " + cause.getClass().getSimpleName()
              + (cause.getMessage() == null ? "" : " " + cause.getMessage()), null);
    }
  }

  private static byte[] serialize(ObjectNode body) {
    try {
      return Json.MAPPER.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize a chat request", e);
    }
  }
}
