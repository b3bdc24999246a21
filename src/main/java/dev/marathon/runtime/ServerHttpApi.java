package dev.marathon.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.activities.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * The Temporal frontend's HTTP API, for the short read-only commands ({@code list}, {@code status}). Reaching the
 * server over gRPC means starting netty, gRPC and protobuf first: about a third of a 0.7 s
 * {@code list} on two cores. An HTTP GET with the JDK's own client skips all of it.
 *
 * <p>Where: {@code MARATHON_HTTP_API} (a base URL; {@code off} never uses it), else, for a server on
 * this machine, Temporal's layout, the gRPC port + {@value #PORT_OFFSET} (7243 for 7233), where the
 * servers Marathon starts serve it. Not used when {@code TEMPORAL_TLS*} or {@code TEMPORAL_API_KEY}
 * is set: credentials go only where the gRPC connection takes them. Whatever does not answer as
 * the API would (nothing listening, another status, not JSON) is an empty answer, and the caller
 * asks over gRPC instead, which also gives the errors their usual wording.
 *
 * <p>Payloads are asked for as stored ({@code noPayloadShorthand}): the API's shorthand re-encodes
 * a JSON payload, sorting its keys and turning empty lists into nulls, which a record then reads
 * differently than the worker wrote it.
 */
public final class ServerHttpApi {
  /** The HTTP API's port above the gRPC port, as in Temporal's own configuration. */
  public static final int PORT_OFFSET = 10;
  private static final int CONNECT_TIMEOUT_MS = 300;
  private static final int READ_TIMEOUT_MS = 10_000;

  private final String base;

  private ServerHttpApi(String base) {
    this.base = base;
  }

  /** The API beside the gRPC frontend at {@code address}, if there is one to try. */
  public static Optional<ServerHttpApi> beside(String address, Map<String, String> env) {
    if (ServerAuth.configured(env)) return Optional.empty();
    String named = env.get("MARATHON_HTTP_API");
    if (named != null && !named.isBlank()) {
      if (named.equalsIgnoreCase("off")) return Optional.empty();
      if (!named.startsWith("http://") && !named.startsWith("https://")) {
        throw new IllegalArgumentException("MARATHON_HTTP_API must be an http:// or https:// URL or off, got '" + named + "'");
      }
      return Optional.of(new ServerHttpApi(named.replaceAll("/+$", "")));
    }
    if (!Connection.isLocal(address)) return Optional.empty(); // a remote port that drops packets would cost every command the timeout
    HostPort hp = HostPort.parse(address);
    String host = hp.host().contains(":") ? "[" + hp.host() + "]" : hp.host();
    return Optional.of(new ServerHttpApi("http://" + host + ":" + (hp.port() + PORT_OFFSET)));
  }

  /** GETs {@code pathAndQuery} (encoded already), or empty unless it is answered with 200 and a JSON object. */
  public Optional<JsonNode> get(String pathAndQuery) {
    return call(pathAndQuery, null, READ_TIMEOUT_MS);
  }

  /** POSTs {@code body} to {@code path}, waiting at most {@code timeout} for the answer; as {@link #get}. */
  public Optional<JsonNode> post(String path, JsonNode body, Duration timeout) {
    return call(path, body, (int) Math.max(1, timeout.toMillis()));
  }

  private Optional<JsonNode> call(String pathAndQuery, JsonNode body, int readTimeoutMillis) {
    try {
      String exact = pathAndQuery + (pathAndQuery.contains("?") ? "&" : "?") + "noPayloadShorthand=true";
      HttpURLConnection c = (HttpURLConnection) URI.create(base + exact).toURL().openConnection();
      c.setConnectTimeout(CONNECT_TIMEOUT_MS);
      c.setReadTimeout(readTimeoutMillis);
      c.setInstanceFollowRedirects(false);
      c.setRequestProperty("Accept", "application/json");
      if (body != null) {
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", "application/json");
        try (var out = c.getOutputStream()) {
          Json.MAPPER.writeValue(out, body);
        }
      }
      try {
        if (c.getResponseCode() != 200) return Optional.empty();
        try (InputStream in = c.getInputStream()) { // its Content-Type is "*": what it is shows in the parse
          JsonNode answer = Json.MAPPER.readTree(in);
          return answer != null && answer.isObject() ? Optional.of(answer) : Optional.empty();
        }
      } finally {
        c.disconnect();
      }
    } catch (IOException | RuntimeException unanswered) {
      return Optional.empty();
    }
  }

  /** {@code s} as one segment of a path or a query parameter's value. */
  public static String encoded(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /**
   * The first value of a {@code Payloads} (a query's answer, a result, heartbeat details): the API
   * shows one as an array of values, or as {@code {payloads: [...]}} when a payload has more than
   * an encoding to say. Null when absent.
   */
  public static JsonNode first(JsonNode payloads) {
    return payload(payloads != null && payloads.isArray() ? payloads.get(0) : payloads == null ? null : payloads.path("payloads").get(0));
  }

  /**
   * A payload's value as the API shows it: a {@code json/plain} payload as the JSON itself (memos),
   * or as {@code {metadata, data}} with base64 JSON data (search attributes). Null when absent.
   */
  public static JsonNode payload(JsonNode p) {
    if (p == null || p.isMissingNode() || p.isNull()) return null;
    if (!p.has("data") || !p.has("metadata")) return p;
    String encoding = new String(Base64.getDecoder().decode(p.path("metadata").path("encoding").asText("")), StandardCharsets.UTF_8);
    if (!encoding.equals("json/plain")) return null;
    try {
      return Json.MAPPER.readTree(Base64.getDecoder().decode(p.path("data").asText()));
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return base;
  }
}
