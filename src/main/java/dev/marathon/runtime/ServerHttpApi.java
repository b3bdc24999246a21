package dev.marathon.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.activities.Json;
import io.temporal.common.SearchAttributeKey;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The Temporal frontend's HTTP API, for the short commands ({@code list}, {@code status},
 * {@code log}, {@code diff}, {@code export}, {@code steer}). Reaching the server over gRPC means
 * starting netty, gRPC and protobuf first: about half of a short command's time on two cores. A
 * request with the JDK's own HTTP client skips all of it.
 *
 * <p>Where: only where Marathon itself started the server and recorded the port
 * ({@link #record}), on this machine. The port is a random free one, not one a web page could
 * guess: the API takes simple cross-site POSTs, so a page that knows the port could start or
 * signal runs (the Temporal server has no origin check there). Never with {@code TEMPORAL_TLS*} or
 * {@code TEMPORAL_API_KEY} set (credentials go only where the gRPC connection takes them), never
 * with {@code MARATHON_HTTP_API=off}. What does not answer as the API would (nothing listening,
 * another status, not a JSON object, too slow, too large) is no answer, and the caller asks over
 * gRPC instead, which also gives the errors their usual wording.
 *
 * <p>Payloads are asked for as stored ({@code noPayloadShorthand}): the API's shorthand re-encodes
 * a JSON payload, sorting its keys and turning empty lists into nulls, which a record then reads
 * differently than the worker wrote it.
 */
public final class ServerHttpApi {
  private static final int CONNECT_TIMEOUT_MS = 300;
  /** The most any one call may take, however the server trickles its answer. */
  private static final Duration DEADLINE = Duration.ofSeconds(10);
  /** The largest answer read: a page of runs or a run's final report is tens of KB. */
  private static final int MAX_BODY_BYTES = 16 << 20;
  /** What a namespace or run id must look like to be a path segment: nothing the server decodes into another route. */
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,254}");

  private final String base;

  /** At {@code base} ({@code http://host:port}); elsewhere than here and in tests, only through {@link #beside}. */
  ServerHttpApi(String base) {
    this.base = base;
  }

  /** A free port on this machine for a server's HTTP API: one no web page can know in advance. */
  public static int freePort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * Records that the server Marathon started on gRPC port {@code grpcPort} here serves its HTTP API
   * on {@code httpPort} for as long as process {@code owner} lives (the server, or the {@code
   * ./marathon server} it dies with). Once that process is gone the record is ignored: a port freed
   * by a dead server may be anyone's by then.
   */
  public static void record(MarathonHome home, int grpcPort, int httpPort, ProcessHandle owner) throws IOException {
    Path file = recordFile(home, grpcPort);
    Files.createDirectories(file.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path tmp = Files.createTempFile(file.getParent(), "port", ".tmp");
    Files.writeString(tmp, httpPort + " " + owner.pid() + " " + started(owner));
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** When {@code p} started, in epoch milliseconds (0 when the system does not say): with its pid, which process it is. */
  private static long started(ProcessHandle p) {
    return p.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
  }

  /** The HTTP port a record names, when the process it was recorded for still runs. */
  private static Optional<Integer> recordedPort(MarathonHome home, int grpcPort) {
    try {
      String[] parts = Files.readString(recordFile(home, grpcPort)).strip().split(" ");
      int port = Integer.parseInt(parts[0]);
      long pid = Long.parseLong(parts[1]);
      long startedAt = Long.parseLong(parts[2]);
      boolean alive = ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(p -> started(p) == startedAt).isPresent();
      return alive && port >= 1 && port <= 65535 ? Optional.of(port) : Optional.empty();
    } catch (IOException | RuntimeException notRecorded) {
      return Optional.empty();
    }
  }

  private static Path recordFile(MarathonHome home, int grpcPort) {
    return home.dir().resolve("http-api").resolve(Integer.toString(grpcPort));
  }

  /** The API of the server at gRPC {@code address}, if Marathon started it on this machine and recorded where. */
  public static Optional<ServerHttpApi> beside(String address, MarathonHome home, Map<String, String> env) {
    String setting = env.get("MARATHON_HTTP_API");
    if (setting != null && !setting.isBlank() && !setting.equalsIgnoreCase("off")) {
      throw new IllegalArgumentException("MARATHON_HTTP_API takes only 'off', got '" + setting + "'");
    }
    if (setting != null && setting.equalsIgnoreCase("off") || ServerAuth.configured(env) || !Connection.isLocal(address)) return Optional.empty();
    HostPort hp;
    try {
      hp = HostPort.parse(address);
    } catch (IllegalArgumentException notAnAddress) {
      return Optional.empty();
    }
    String host = hp.host().contains(":") ? "[" + hp.host() + "]" : hp.host();
    return recordedPort(home, hp.port()).map(port -> new ServerHttpApi("http://" + host + ":" + port));
  }

  /** The path of a namespace's workflow, or empty when either is not a plain segment (then gRPC is asked). */
  public static Optional<String> workflowPath(String namespace, String workflowId) {
    return namespacePath(namespace).filter(ns -> SEGMENT.matcher(workflowId).matches()).map(ns -> ns + "/workflows/" + workflowId);
  }

  /** The path of a namespace, or empty when it is not a plain segment. */
  public static Optional<String> namespacePath(String namespace) {
    return SEGMENT.matcher(namespace).matches() ? Optional.of("/api/v1/namespaces/" + namespace) : Optional.empty();
  }

  /** {@code s} as a query parameter's value. */
  public static String encoded(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /**
   * What the server answered a call.
   *
   * @param status the HTTP status; {@link #NOT_SENT} when no connection was made (nothing reached
   *     the server), {@link #NO_ANSWER} when the request went out and no whole answer came back
   * @param body the JSON object answered, or null
   */
  public record Answer(int status, JsonNode body) {
    public static final int NOT_SENT = -1;
    public static final int NO_ANSWER = 0;

    public Optional<JsonNode> ok() {
      return status == 200 && body != null ? Optional.of(body) : Optional.empty();
    }
  }

  /** GETs {@code pathAndQuery} (encoded already): the JSON object answered with 200, else empty. */
  public Optional<JsonNode> get(String pathAndQuery) {
    return call(pathAndQuery, null, DEADLINE).ok();
  }

  /** POSTs {@code body} to {@code path}, waiting at most {@code deadline} (and never more than ten seconds) for the answer. */
  public Answer post(String path, JsonNode body, Duration deadline) {
    return call(path, body, deadline.compareTo(DEADLINE) < 0 ? deadline : DEADLINE);
  }

  private Answer call(String pathAndQuery, JsonNode body, Duration deadline) {
    HttpURLConnection c;
    byte[] sent;
    try {
      sent = body == null ? null : Json.MAPPER.writeValueAsBytes(body);
      String exact = pathAndQuery + (pathAndQuery.contains("?") ? "&" : "?") + "noPayloadShorthand=true";
      c = (HttpURLConnection) URI.create(base + exact).toURL().openConnection();
      c.setConnectTimeout(CONNECT_TIMEOUT_MS);
      c.setReadTimeout((int) Math.max(1, deadline.toMillis()));
      c.setInstanceFollowRedirects(false);
      c.setRequestProperty("Accept", "application/json");
      if (body != null) {
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", "application/json");
        c.setFixedLengthStreamingMode(sent.length); // streamed: the JDK never sends a POST twice by itself
      }
      c.connect();
    } catch (IOException | RuntimeException notConnected) {
      return new Answer(Answer.NOT_SENT, null);
    }
    // A server that trickles its answer would keep each read under the timeout: past the deadline the socket is closed.
    CompletableFuture<Void> watchdog = CompletableFuture.runAsync(c::disconnect,
        CompletableFuture.delayedExecutor(deadline.toMillis(), TimeUnit.MILLISECONDS, Runnable::run)); // on the timer's own daemon thread
    try {
      if (body != null) {
        try (var out = c.getOutputStream()) {
          out.write(sent);
        }
      }
      int status = c.getResponseCode();
      try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
        byte[] bytes = in == null ? new byte[0] : in.readNBytes(MAX_BODY_BYTES + 1);
        if (bytes.length > MAX_BODY_BYTES) return new Answer(Answer.NO_ANSWER, null);
        JsonNode answer = bytes.length == 0 ? null : Json.MAPPER.readTree(bytes); // its Content-Type is "*": what it is shows here
        return new Answer(status, answer != null && answer.isObject() ? answer : null);
      }
    } catch (ConnectException | NoRouteToHostException refused) {
      return new Answer(Answer.NOT_SENT, null);
    } catch (IOException | RuntimeException unanswered) {
      return new Answer(Answer.NO_ANSWER, null);
    } finally {
      watchdog.cancel(false);
      c.disconnect();
    }
  }

  /** A search attribute's value from a list's or a description's {@code indexedFields}, or null (absent, or not of its type). */
  public static <T> T searchAttribute(JsonNode indexedFields, SearchAttributeKey<T> key) {
    JsonNode v = payload(indexedFields.get(key.getName()));
    Class<?> type = key.getValueClass();
    Object value = v == null ? null
        : type == String.class && v.isTextual() ? v.asText()
        : type == Long.class && v.isIntegralNumber() ? (Object) v.asLong()
        : type == Double.class && v.isNumber() ? (Object) v.asDouble()
        : null;
    @SuppressWarnings("unchecked") T typed = (T) value;
    return typed;
  }

  /** The first value of a {@code Payloads} ({@code {payloads: [...]}}: a query's answer, a result, heartbeat details), or null. */
  public static JsonNode first(JsonNode payloads) {
    return payloads == null ? null : payload(payloads.path("payloads").get(0));
  }

  /** A {@code json/plain} payload's value, or null (absent, another encoding, no data: {@code binary/null}, not JSON). */
  public static JsonNode payload(JsonNode p) {
    if (p == null || !p.path("data").isTextual()) return null;
    try {
      String encoding = new String(Base64.getDecoder().decode(p.path("metadata").path("encoding").asText("")), StandardCharsets.UTF_8);
      return encoding.equals("json/plain") ? Json.MAPPER.readTree(Base64.getDecoder().decode(p.path("data").asText())) : null;
    } catch (IOException | IllegalArgumentException notJson) {
      return null;
    }
  }

  @Override
  public String toString() {
    return base;
  }
}
