package dev.marathon.activities.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.marathon.activities.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An OpenAI-compatible chat completions client over {@code java.net.http}, whole replies or
 * streamed (SSE). It does not retry: it classifies each failure once ({@link ModelException.Kind})
 * and the activity's retry policy acts on it, honouring Retry-After.
 *
 * <p>While it waits it tells {@link Liveness} the call is alive: every two seconds until the first
 * byte of a stream (the model is reading the prompt), then each time new output arrives. A stream
 * that stops sending for {@code stall} is abandoned — by then the activity has stopped
 * heartbeating, so Temporal has noticed too — and the turn is retried whole.
 */
public final class ModelClient {
  /** Told that the call is alive, with the last output so far; throwing from it abandons the call (activity cancelled). */
  @FunctionalInterface
  public interface Liveness {
    void alive(String lastOutput);
  }

  private static final Duration TICK = Duration.ofSeconds(2);
  /** How long a stream may take to send its first byte (a long prompt read by a slow local model). */
  static final Duration FIRST_BYTE = Duration.ofMinutes(10);
  private static final int LIVE_CHARS = 400;
  private final HttpClient http;
  private final Duration timeout;

  public ModelClient(Duration timeout) {
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
    this.timeout = timeout;
  }

  /**
   * Sends one completion request and parses the reply; streams when {@code body} says {@code
   * "stream": true}.
   *
   * @param headers extra headers (e.g. the run id and turn, which proxies can log)
   * @param stall how long a started stream may stay silent before it is abandoned
   */
  public ModelReply complete(ModelEndpoint endpoint, ObjectNode body, int turn, Map<String, String> headers, Duration stall,
      Liveness liveness) {
    boolean stream = body.path("stream").asBoolean(false);
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint.completionsUrl()))
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .header("Accept", stream ? "text/event-stream" : "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(serialize(body)));
    if (endpoint.apiKey() != null && !endpoint.apiKey().isEmpty()) {
      request.header("Authorization", "Bearer " + endpoint.apiKey());
    }
    headers.forEach(request::header);
    HttpResponse<InputStream> response = await(http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofInputStream()), endpoint, liveness);
    int status = response.statusCode();
    if (status / 100 != 2) {
      Optional<String> retryAfter = response.headers().firstValue("retry-after-ms").map(v -> v + "ms")
          .or(() -> response.headers().firstValue("retry-after"));
      throw ModelErrors.classify(status, readAll(response.body()), retryAfter, endpoint.completionsUrl(), endpoint.keyEnv());
    }
    boolean sse = response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream");
    ModelReply reply = sse ? readStream(response.body(), endpoint, turn, stall, liveness) : parseWhole(readAll(response.body()), endpoint, turn);
    if ("model_context_window_exceeded".equals(reply.finishReason())) {
      throw new ModelException(ModelException.Kind.CONTEXT_OVERFLOW,
          "the model stopped: context window exceeded (finish_reason model_context_window_exceeded)", null);
    }
    return reply;
  }

  private static ModelReply parseWhole(String body, ModelEndpoint endpoint, int turn) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw new ModelException(ModelException.Kind.RETRYABLE,
          "the model endpoint " + endpoint.completionsUrl() + " answered with invalid JSON: " + ChatResponse.abbreviate(body), null);
    }
    return ChatResponse.parse(root, turn);
  }

  /** Reads SSE lines on a reader thread; this thread watches for output and for silence. */
  private ModelReply readStream(InputStream body, ModelEndpoint endpoint, int turn, Duration stall, Liveness liveness) {
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    String end = "\u0000end";
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) lines.add(line);
      } catch (IOException cut) {
        lines.add("\u0000cut " + cut.getMessage());
      } finally {
        lines.add(end);
      }
    }, "model-stream");
    reader.setDaemon(true);
    reader.start();
    StreamedReply reply = new StreamedReply();
    boolean done = false;
    boolean started = false; // before the first data line the model may be reading a long prompt
    long opened = System.nanoTime();
    long lastData = opened;
    long lastBeat = 0;
    try {
      while (true) {
        String line = lines.poll(1, TimeUnit.SECONDS);
        long now = System.nanoTime();
        if (line == null) {
          if (started && lastData > lastBeat) { // output arrived since the last beat: say it once, then wait quietly
            lastBeat = now;
            liveness.alive(reply.tail(LIVE_CHARS));
          }
          if (started && Duration.ofNanos(now - lastData).compareTo(stall) > 0) {
            throw new ModelException(ModelException.Kind.RETRYABLE, "the model's stream from " + endpoint.completionsUrl()
                + " stalled: nothing for " + stall.toSeconds() + " s", null);
          }
          if (!started) {
            if (Duration.ofNanos(now - opened).compareTo(FIRST_BYTE) > 0) {
              throw new ModelException(ModelException.Kind.RETRYABLE, "the model endpoint " + endpoint.completionsUrl()
                  + " sent nothing for " + FIRST_BYTE.toMinutes() + " minutes", null);
            }
            if (now - lastBeat > TICK.toNanos()) {
              lastBeat = now;
              liveness.alive(null);
            }
          }
          continue;
        }
        if (line.equals(end)) break;
        if (line.startsWith("\u0000cut ")) {
          throw new ModelException(ModelException.Kind.RETRYABLE, "the model's stream from " + endpoint.completionsUrl()
              + " was cut: " + line.substring(5), null);
        }
        lastData = now;
        if (!line.startsWith("data:")) continue; // event names, ids, ": keep-alive" comments
        started = true;
        String data = line.substring(5).strip();
        if (data.equals("[DONE]")) {
          done = true;
          continue;
        }
        JsonNode chunk;
        try {
          chunk = Json.MAPPER.readTree(data);
        } catch (IOException e) {
          throw new ModelException(ModelException.Kind.RETRYABLE, "the model's stream sent invalid JSON: " + ChatResponse.abbreviate(data), null);
        }
        if (chunk.has("error")) throw ModelErrors.classify(500, chunk.toString(), Optional.empty(), endpoint.completionsUrl(), endpoint.keyEnv());
        reply.add(chunk);
        if (now - lastBeat > TICK.toNanos() / 2) {
          lastBeat = now;
          liveness.alive(reply.tail(LIVE_CHARS));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ModelException(ModelException.Kind.RETRYABLE, "interrupted while reading the model's stream", null);
    } finally {
      reader.interrupt();
      try {
        body.close();
      } catch (IOException ignored) {
        // the stream is abandoned either way
      }
    }
    ModelReply r = reply.reply(turn);
    if (!done && "unknown".equals(r.finishReason())) {
      throw new ModelException(ModelException.Kind.RETRYABLE, "the model's stream from " + endpoint.completionsUrl()
          + " ended before the reply did (no [DONE], no finish_reason)", null);
    }
    return r;
  }

  private HttpResponse<InputStream> await(
      CompletableFuture<HttpResponse<InputStream>> call, ModelEndpoint endpoint, Liveness liveness) {
    long deadline = System.nanoTime() + FIRST_BYTE.toNanos();
    try {
      while (true) {
        try {
          return call.get(TICK.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException stillWaiting) {
          if (System.nanoTime() > deadline) {
            call.cancel(true);
            throw new ModelException(ModelException.Kind.RETRYABLE, "the model endpoint " + endpoint.completionsUrl()
                + " sent nothing for " + FIRST_BYTE.toMinutes() + " minutes", null);
          }
          try {
            liveness.alive(null);
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

  private static String readAll(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ModelException(ModelException.Kind.RETRYABLE, "the model's answer was cut: " + e.getMessage(), null);
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
