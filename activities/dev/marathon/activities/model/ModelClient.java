package dev.marathon.activities.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.marathon.activities.Json;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An OpenAI-compatible chat completions client over HTTP/1.1 ({@link KeptConnections}), whole replies or
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
  /** How often a silent connection is looked at: liveness, stalls, cancellation. */
  private static final Duration LOOK = Duration.ofSeconds(1);
  /** How long a stream may take to send its first byte (a long prompt read by a slow local model). */
  static final Duration FIRST_BYTE = Duration.ofMinutes(10);
  private static final int LIVE_CHARS = 400;
  private final KeptConnections connections = new KeptConnections(Duration.ofSeconds(30));
  private final Duration timeout;

  public ModelClient(Duration timeout) {
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
    Map<String, String> all = new LinkedHashMap<>();
    all.put("Content-Type", "application/json");
    all.put("Accept", stream ? "text/event-stream" : "application/json");
    if (endpoint.apiKey() != null && !endpoint.apiKey().isEmpty()) all.put("Authorization", "Bearer " + endpoint.apiKey());
    all.putAll(headers);
    Duration headWait = timeout.compareTo(FIRST_BYTE) < 0 ? timeout : FIRST_BYTE;
    long[] lastBeat = {System.nanoTime()};
    Runnable waiting = () -> { // told at each tick of silence: ends an interrupted call, says a live one is alive
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new ModelException(ModelException.Kind.RETRYABLE, "interrupted while waiting for the model", null);
      }
      if (System.nanoTime() - lastBeat[0] >= TICK.toNanos()) {
        lastBeat[0] = System.nanoTime();
        liveness.alive(null);
      }
    };
    KeptConnections.Exchange exchange;
    try {
      exchange = connections.post(URI.create(endpoint.completionsUrl()), all, serialize(body), LOOK, waiting,
          System.nanoTime() + headWait.toNanos());
    } catch (KeptConnections.HeadTimeout e) {
      throw new ModelException(ModelException.Kind.RETRYABLE, "the model endpoint " + endpoint.completionsUrl()
          + " sent nothing for " + minutesOrSeconds(headWait), null);
    } catch (IOException e) {
      throw new ModelException(ModelException.Kind.RETRYABLE, "cannot reach the model endpoint " + endpoint.completionsUrl() + ": "
          + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()), null);
    }
    try (exchange) {
      HttpAnswer answer = exchange.answer;
      int status = answer.status();
      if (status / 100 != 2) {
        Optional<String> retryAfter = answer.header("retry-after-ms").map(v -> v + "ms").or(() -> answer.header("retry-after"));
        throw ModelErrors.classify(status, readAll(answer, endpoint, waiting), retryAfter, endpoint.completionsUrl(), endpoint.keyEnv());
      }
      boolean sse = answer.header("content-type").orElse("").startsWith("text/event-stream");
      ModelReply reply = sse ? readStream(answer, endpoint, turn, stall, liveness) : parseWhole(readAll(answer, endpoint, waiting), endpoint, turn);
      if ("model_context_window_exceeded".equals(reply.finishReason())) {
        throw new ModelException(ModelException.Kind.CONTEXT_OVERFLOW,
            "the model stopped: context window exceeded (finish_reason model_context_window_exceeded)", null);
      }
      return reply;
    }
  }

  private static String minutesOrSeconds(Duration d) {
    return d.toSeconds() % 60 == 0 ? d.toMinutes() + " minutes" : d.toSeconds() + " s";
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

  /**
   * Reads SSE lines as they come, on this thread; between them, once a second of silence, it
   * says the call is alive and watches for a stall.
   */
  private ModelReply readStream(HttpAnswer answer, ModelEndpoint endpoint, int turn, Duration stall, Liveness liveness) {
    StreamedReply reply = new StreamedReply();
    boolean done = false;
    boolean started = false; // before the first data line the model may be reading a long prompt
    long opened = System.nanoTime();
    long lastData = opened;
    long lastBeat = 0;
    while (true) {
      String line;
      try {
        line = answer.readBodyLine();
      } catch (SocketTimeoutException silent) {
        line = null;
      } catch (IOException cut) {
        throw new ModelException(ModelException.Kind.RETRYABLE, "the model's stream from " + endpoint.completionsUrl()
            + " was cut: " + cut.getMessage(), null);
      }
      long now = System.nanoTime();
      if (line == null && answer.bodyEnded()) break;
      if (line == null) {
        if (Thread.interrupted()) {
          Thread.currentThread().interrupt();
          throw new ModelException(ModelException.Kind.RETRYABLE, "interrupted while reading the model's stream", null);
        }
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
    ModelReply r = reply.reply(turn);
    if (!done && "unknown".equals(r.finishReason())) {
      throw new ModelException(ModelException.Kind.RETRYABLE, "the model's stream from " + endpoint.completionsUrl()
          + " ended before the reply did (no [DONE], no finish_reason)", null);
    }
    return r;
  }

  /** The whole body: {@code waiting} told while it trickles in, abandoned after {@link #FIRST_BYTE} in all. */
  private static String readAll(HttpAnswer answer, ModelEndpoint endpoint, Runnable waiting) {
    long opened = System.nanoTime();
    while (true) {
      try {
        return answer.readBodyText();
      } catch (SocketTimeoutException silent) { // its bytes so far stay in the answer
        if (System.nanoTime() - opened > FIRST_BYTE.toNanos()) {
          throw new ModelException(ModelException.Kind.RETRYABLE, "the model's answer from " + endpoint.completionsUrl()
              + " did not end within " + FIRST_BYTE.toMinutes() + " minutes", null);
        }
        waiting.run();
      } catch (IOException e) {
        throw new ModelException(ModelException.Kind.RETRYABLE, "the model's answer from " + endpoint.completionsUrl() + " was cut: "
            + e.getMessage(), null);
      }
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
