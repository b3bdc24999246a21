package dev.marathon.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.marathon.activities.Json;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Where the CLI looks for the server's HTTP API, and what it accepts from it. */
class ServerHttpApiTest {

  @Test
  void aLocalServerHasItTenPortsAboveItsGrpcPort() {
    assertEquals("http://127.0.0.1:7243", ServerHttpApi.beside("127.0.0.1:7233", Map.of()).orElseThrow().toString());
    assertEquals("http://localhost:17243", ServerHttpApi.beside("localhost:17233", Map.of()).orElseThrow().toString());
    assertEquals("http://[::1]:7243", ServerHttpApi.beside("::1:7233", Map.of()).orElseThrow().toString());
  }

  @Test
  void aRemoteServerOnlyWhenNamedAndNeverWithCredentials() {
    assertTrue(ServerHttpApi.beside("temporal.example.com:7233", Map.of()).isEmpty(), "a firewalled port would cost every command its timeout");
    assertEquals("https://t.example.com/api", ServerHttpApi.beside("temporal.example.com:7233",
        Map.of("MARATHON_HTTP_API", "https://t.example.com/api/")).orElseThrow().toString());
    assertTrue(ServerHttpApi.beside("127.0.0.1:7233", Map.of("MARATHON_HTTP_API", "off")).isEmpty());
    for (String auth : new String[] {"TEMPORAL_API_KEY", "TEMPORAL_TLS", "TEMPORAL_TLS_CA"}) {
      assertTrue(ServerHttpApi.beside("127.0.0.1:7233", Map.of(auth, "x", "MARATHON_HTTP_API", "http://127.0.0.1:7243")).isEmpty(), auth);
    }
    var bad = assertThrows(IllegalArgumentException.class, () -> ServerHttpApi.beside("127.0.0.1:7233", Map.of("MARATHON_HTTP_API", "file:///etc/passwd")));
    assertTrue(bad.getMessage().contains("MARATHON_HTTP_API"), bad.getMessage());
  }

  @Test
  void payloadsReadInEitherShapeTheApiShowsThem() throws Exception {
    JsonNode shorthand = Json.MAPPER.readTree("\"Hello\"");
    assertEquals("Hello", ServerHttpApi.payload(shorthand).asText());
    JsonNode full = Json.MAPPER.readTree("{\"metadata\":{\"encoding\":\"anNvbi9wbGFpbg==\",\"type\":\"SW50\"},\"data\":\"NQ==\"}");
    assertEquals(5, ServerHttpApi.payload(full).asLong());
    JsonNode binary = Json.MAPPER.readTree("{\"metadata\":{\"encoding\":\"YmluYXJ5L251bGw=\"},\"data\":\"\"}"); // binary/null
    assertNull(ServerHttpApi.payload(binary));
    assertNull(ServerHttpApi.payload(null));
    assertEquals("turn 3", ServerHttpApi.first(Json.MAPPER.readTree("[\"turn 3\"]")).asText(), "a query's answer, shorthand");
    assertEquals(5, ServerHttpApi.first(Json.MAPPER.readTree("{\"payloads\":[" + full + "]}")).asLong(), "and in full");
    assertNull(ServerHttpApi.first(Json.MAPPER.readTree("{}")));
    assertNull(ServerHttpApi.first(null));
  }

  /** Anything but 200 with a JSON object is no answer, and the command asks over gRPC instead. */
  @Test
  void onlyAJsonObjectWith200IsAnAnswer() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    Map<String, Object[]> answers = Map.of("/ok", new Object[] {200, "{\"executions\":[]}"}, "/missing", new Object[] {404, "{\"code\":5}"},
        "/html", new Object[] {200, "<html>not the API</html>"}, "/array", new Object[] {200, "[1]"},
        "/redirect", new Object[] {302, ""});
    answers.forEach((path, a) -> server.createContext(path, exchange -> {
      byte[] body = ((String) a[1]).getBytes(StandardCharsets.UTF_8);
      if ((int) a[0] == 302) exchange.getResponseHeaders().add("Location", "/ok");
      exchange.sendResponseHeaders((int) a[0], body.length == 0 ? -1 : body.length);
      if (body.length > 0) exchange.getResponseBody().write(body);
      exchange.close();
    }));
    server.start();
    try {
      ServerHttpApi api = ServerHttpApi.beside("127.0.0.1:1", Map.of("MARATHON_HTTP_API", "http://127.0.0.1:" + server.getAddress().getPort()))
          .orElseThrow();
      assertEquals(Optional.of(Json.MAPPER.readTree("{\"executions\":[]}")), api.get("/ok"));
      for (String none : new String[] {"/missing", "/html", "/array", "/redirect", "/nothing-here"}) assertTrue(api.get(none).isEmpty(), none);
      ServerHttpApi nobody = ServerHttpApi.beside("127.0.0.1:1", Map.of("MARATHON_HTTP_API", "http://127.0.0.1:" + freePort())).orElseThrow();
      assertTrue(nobody.get("/ok").isEmpty());
    } finally {
      server.stop(0);
    }
  }

  private static int freePort() throws Exception {
    try (var s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
