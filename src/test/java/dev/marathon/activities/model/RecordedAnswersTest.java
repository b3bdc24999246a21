package dev.marathon.activities.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.marathon.activities.Json;
import dev.marathon.activities.store.Message;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Marathon's client against answers real servers gave (src/test/resources/fixtures/README.md): the
 * embedded engine and llama.cpp's server, each whole and streamed, served back over HTTP exactly as
 * recorded. What the client reads from them must not depend on whether the reply was streamed.
 */
class RecordedAnswersTest {
  static HttpServer server;
  static String baseUrl;
  static final ModelClient client = new ModelClient(Duration.ofSeconds(30));

  @BeforeAll
  static void serveFixtures() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    // /<fixture-name>/v1/... answers with that fixture: .sse when the request streams, else .json
    server.createContext("/", exchange -> {
      String[] parts = exchange.getRequestURI().getPath().split("/");
      String name = parts[1];
      byte[] request = exchange.getRequestBody().readAllBytes();
      boolean models = exchange.getRequestURI().getPath().endsWith("/models");
      boolean stream = !models && Json.MAPPER.readTree(request).path("stream").asBoolean(false);
      String file = models ? name.replace("tool-call", "models").replace("text-cut", "models") + ".json"
          : name + (stream ? ".sse" : ".json");
      byte[] body = fixture(file);
      int status = name.endsWith("overflow-400") ? 400 : 200;
      exchange.getResponseHeaders().set("Content-Type", stream ? "text/event-stream" : "application/json");
      exchange.sendResponseHeaders(status, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    baseUrl = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterAll
  static void stop() {
    server.stop(0);
  }

  static byte[] fixture(String file) {
    try (InputStream in = RecordedAnswersTest.class.getResourceAsStream("/fixtures/" + file)) {
      if (in == null) throw new IllegalStateException("no fixture " + file);
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ModelReply ask(String fixture, boolean stream) {
    ObjectNode body = ChatRequest.body("m", List.of(Message.user("Create notes.md containing the word marathon.")), null,
        Provider.GENERIC, 100, stream);
    return client.complete(endpoint(fixture), body, 1, Map.of(), Duration.ofSeconds(10), last -> { });
  }

  static ModelEndpoint endpoint(String fixture) {
    return new ModelEndpoint(baseUrl + "/" + fixture + "/v1", null, null);
  }

  @Test
  void theEnginesToolCallReadsTheSameWholeAndStreamed() throws Exception {
    ModelReply whole = ask("local-engine-tool-call", false);
    ModelReply streamed = ask("local-engine-tool-call", true);
    for (ModelReply r : List.of(whole, streamed)) {
      assertEquals("tool_calls", r.finishReason());
      assertEquals(1, r.calls().size());
      assertEquals("write_file", r.calls().get(0).name());
      assertEquals("marathon", Json.MAPPER.readTree(r.calls().get(0).arguments()).path("path").asText(), r.toString());
    }
    assertEquals(Json.MAPPER.readTree(whole.calls().get(0).arguments()), Json.MAPPER.readTree(streamed.calls().get(0).arguments()),
        "the streamed fragments join to the same arguments (the two recordings differ only in a trailing newline)");
    assertEquals(whole.promptTokens(), streamed.promptTokens());
    assertEquals(whole.completionTokens(), streamed.completionTokens());
    assertEquals(133, whole.promptTokens());
  }

  @Test
  void llamaCppsCutReplyReadsTheSameWholeAndStreamed() {
    ModelReply whole = ask("llamacpp-text-cut", false);
    ModelReply streamed = ask("llamacpp-text-cut", true);
    for (ModelReply r : List.of(whole, streamed)) {
      assertEquals("length", r.finishReason(), "cut at max_tokens");
      assertTrue(r.calls().isEmpty());
      assertNull(r.reasoning());
    }
    assertEquals(whole.content(), streamed.content());
    assertEquals(whole.completionTokens(), streamed.completionTokens());
    assertEquals(40, whole.completionTokens());
  }

  @Test
  void theWindowAServerGivesIsLearnedFromItsModelsList() {
    ContextWindows windows = new ContextWindows();
    assertEquals(2048L, windows.of(endpoint("llamacpp-text-cut").baseUrl(), "whatever the run calls it"),
        "llama.cpp's n_ctx, not the model's 8192 it was trained with");
    assertEquals(8192L, windows.of(endpoint("local-engine-tool-call").baseUrl(), "smollm2-135m-instruct"));
    assertNull(windows.of("http://127.0.0.1:9/v1", "m"), "a server that does not answer says nothing");
  }

  @Test
  void llamaCppsOverflowIsAContextOverflowThatSaysTheWindow() {
    ModelException e = assertThrows(ModelException.class, () -> ask("llamacpp-overflow-400", false));
    assertEquals(ModelException.Kind.CONTEXT_OVERFLOW, e.kind());
    assertEquals(2048, e.contextWindow());
    assertTrue(e.getMessage().contains("exceeds the available context size"), e.getMessage());
  }
}
