package dev.marathon.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.marathon.activities.Json;
import dev.marathon.workflows.MarathonSearchAttributes;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the CLI looks for the server's HTTP API, and what it takes from it. */
class ServerHttpApiTest {
  @TempDir Path tmp;

  @Test
  void onlyAServerMarathonStartedAndRecordedOnThisMachine() throws Exception {
    MarathonHome home = new MarathonHome(tmp);
    assertTrue(ServerHttpApi.beside("127.0.0.1:7233", home, Map.of()).isEmpty(), "no record: not Temporal's guessable +10");
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    ServerHttpApi.record(home, 7233, 41877, gone.toHandle());
    assertTrue(ServerHttpApi.beside("127.0.0.1:7233", home, Map.of()).isEmpty(), "its server is gone: the port may be anyone's now");
    ServerHttpApi.record(home, 7233, 41877, ProcessHandle.current());
    assertEquals("http://127.0.0.1:41877", ServerHttpApi.beside("127.0.0.1:7233", home, Map.of()).orElseThrow().toString());
    assertEquals("http://[::1]:41877", ServerHttpApi.beside("::1:7233", home, Map.of()).orElseThrow().toString());
    assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("http-api"))));
    assertTrue(ServerHttpApi.beside("127.0.0.1:7234", home, Map.of()).isEmpty(), "another server");
    assertTrue(ServerHttpApi.beside("temporal.example.com:7233", home, Map.of()).isEmpty(), "not this machine");
    assertTrue(ServerHttpApi.beside("127.0.0.1:7233", home, Map.of("MARATHON_HTTP_API", "off")).isEmpty());
    for (String auth : new String[] {"TEMPORAL_API_KEY", "TEMPORAL_TLS", "TEMPORAL_TLS_CA"}) {
      assertTrue(ServerHttpApi.beside("127.0.0.1:7233", home, Map.of(auth, "x")).isEmpty(), "credentials go over gRPC only: " + auth);
    }
    var bad = assertThrows(IllegalArgumentException.class,
        () -> ServerHttpApi.beside("127.0.0.1:7233", home, Map.of("MARATHON_HTTP_API", "http://elsewhere:7243")));
    assertTrue(bad.getMessage().contains("MARATHON_HTTP_API takes only 'off'"), bad.getMessage());
  }

  @Test
  void pathsTakeOnlyPlainSegments() {
    assertEquals(Optional.of("/api/v1/namespaces/default/workflows/fix-tests-1a2b"), ServerHttpApi.workflowPath("default", "fix-tests-1a2b"));
    for (String id : new String[] {"a/history", "a%2Fhistory", "..", "a?b", "a b", ""}) {
      assertTrue(ServerHttpApi.workflowPath("default", id).isEmpty(), id); // the server decodes %2F before it routes
    }
    assertTrue(ServerHttpApi.namespacePath("de/fault").isEmpty());
  }

  @Test
  void payloadsAreReadOnlyAsStoredJson() throws Exception {
    JsonNode full = Json.MAPPER.readTree("{\"metadata\":{\"encoding\":\"anNvbi9wbGFpbg==\",\"type\":\"SW50\"},\"data\":\"NQ==\"}");
    assertEquals(5, ServerHttpApi.payload(full).asLong());
    assertEquals(5L, ServerHttpApi.searchAttribute(Json.MAPPER.createObjectNode().set("MarathonTurns", full), MarathonSearchAttributes.TURNS));
    assertNull(ServerHttpApi.searchAttribute(Json.MAPPER.createObjectNode().set("MarathonPhase", full), MarathonSearchAttributes.PHASE), "not its type");
    assertNull(ServerHttpApi.payload(Json.MAPPER.readTree("{\"metadata\":{\"encoding\":\"YmluYXJ5L251bGw=\"}}")), "binary/null has no data");
    assertNull(ServerHttpApi.payload(Json.MAPPER.readTree("\"Hello\"")), "the shorthand is never asked for");
    assertEquals(5, ServerHttpApi.first(Json.MAPPER.readTree("{\"payloads\":[" + full + "]}")).asLong());
    assertNull(ServerHttpApi.first(Json.MAPPER.readTree("{}")));
    assertNull(ServerHttpApi.payload(null));
  }

  /** Anything but a whole JSON object with 200, in time and of a sane size, is no answer: the command asks over gRPC instead. */
  @Test
  void onlyAJsonObjectWith200InTimeIsAnAnswer() throws Exception {
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
    server.createContext("/trickle", exchange -> {
      exchange.sendResponseHeaders(200, 0);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write('{');
        for (int i = 0; i < 60; i++) {
          out.write(' ');
          out.flush();
          Thread.sleep(500); // each read well inside a read timeout; the whole far past the deadline
        }
      } catch (Exception gone) {
        // the client closed it at its deadline
      }
    });
    server.createContext("/huge", exchange -> {
      exchange.sendResponseHeaders(200, 0);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write("{\"x\":\"".getBytes(StandardCharsets.UTF_8));
        byte[] chunk = new byte[1 << 20];
        java.util.Arrays.fill(chunk, (byte) 'a');
        for (int i = 0; i < 20; i++) out.write(chunk);
      } catch (Exception gone) {
        // the client stopped reading at its cap
      }
    });
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
    try {
      ServerHttpApi api = new ServerHttpApi("http://127.0.0.1:" + server.getAddress().getPort());
      assertEquals(Optional.of(Json.MAPPER.readTree("{\"executions\":[]}")), api.get("/ok"));
      for (String none : new String[] {"/missing", "/html", "/array", "/redirect", "/nothing-here", "/huge"}) assertTrue(api.get(none).isEmpty(), none);
      long t0 = System.nanoTime();
      assertEquals(ServerHttpApi.Answer.NO_ANSWER, api.post("/trickle", Json.MAPPER.createObjectNode(), Duration.ofSeconds(2)).status());
      assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(20).toNanos(), "the deadline holds against a trickle");
      assertEquals(404, api.post("/missing", Json.MAPPER.createObjectNode(), Duration.ofSeconds(2)).status(), "an error's status is kept");
      ServerHttpApi nobody = new ServerHttpApi("http://127.0.0.1:" + ServerHttpApi.freePort());
      assertEquals(ServerHttpApi.Answer.NOT_SENT, nobody.post("/ok", Json.MAPPER.createObjectNode(), Duration.ofSeconds(2)).status());
    } finally {
      server.stop(0);
    }
  }
}
