package dev.marathon.activities.model.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.marathon.activities.Json;
import dev.marathon.activities.model.ChatRequest;
import dev.marathon.activities.model.ModelClient;
import dev.marathon.activities.model.ModelEndpoint;
import dev.marathon.activities.model.ModelReply;
import dev.marathon.activities.model.Provider;
import dev.marathon.activities.store.Message;
import dev.marathon.activities.tools.ToolCatalog;
import dev.marathon.testing.LocalWeightsForTests;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The embedded model, for real: llama.cpp in this JVM behind the OpenAI-compatible endpoint Marathon's client talks to. */
class LocalModelServerTest {
  static LocalModelServer server;
  static final ToolCatalog catalog = new ToolCatalog();
  static final ModelClient client = new ModelClient(Duration.ofMinutes(5));

  @BeforeAll
  static void start() throws Exception {
    server = LocalModelServer.start(0, LocalWeightsForTests.dir(), line -> { });
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  /** Output tokens a request may use: room for one whole call of any tool. */
  static final int MAX_OUTPUT = 200;

  static ObjectNode request(boolean stream, String task) {
    return ChatRequest.body(LocalWeights.MODEL, List.of(Message.system("You are a coding agent in a git repository."),
        Message.user(task)), catalog.schemas(), Provider.LOCAL, MAX_OUTPUT, stream);
  }

  static ModelReply ask(ObjectNode body) {
    return client.complete(new ModelEndpoint(server.baseUrl(), null, null), body, 1, Map.of(), Duration.ofSeconds(60), last -> { });
  }

  @Test
  void itReportsItsContextSizeTheWayLlamaCppDoes() throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/models")).build(),
        HttpResponse.BodyHandlers.ofString());
    JsonNode model = Json.MAPPER.readTree(r.body()).path("data").get(0);
    assertEquals(LocalWeights.MODEL, model.path("id").asText());
    assertEquals(LocalModelServer.CONTEXT_TOKENS, model.path("meta").path("n_ctx").asInt());
  }

  @Test
  void withToolsOfferedItAnswersWithOneWellFormedCallOfAnOfferedToolStreamedOrNot() throws Exception {
    ModelReply whole = ask(request(false, "Create notes.md containing the word marathon."));
    assertEquals(1, whole.calls().size(), whole.toString());
    Message.Call call = whole.calls().get(0);
    assertTrue(catalog.names().contains(call.name()), call.toString());
    assertNotEquals("finish", call.name(), "nothing can be finished before anything was done");
    JsonNode args = Json.MAPPER.readTree(call.arguments());
    assertTrue(args.isObject(), call.arguments());
    // A reply cut at the output limit would leave the required arguments unchecked: the limit leaves room for the call.
    assertEquals("tool_calls", whole.finishReason(), "the call ended, not cut at " + MAX_OUTPUT + " tokens: " + whole);
    JsonNode schema = catalog.tools().stream().filter(t -> t.spec().name().equals(call.name())).findFirst().orElseThrow()
        .spec().parameters().json();
    for (JsonNode required : schema.path("required")) {
      assertTrue(args.has(required.asText()), "the grammar forces every required argument: " + call.arguments());
    }
    assertTrue(whole.promptTokens() > 100 && whole.completionTokens() > 0, whole.toString());

    ModelReply streamed = ask(request(true, "Create notes.md containing the word marathon."));
    assertEquals(whole.calls().get(0).name(), streamed.calls().get(0).name(), "greedy decoding: the same answer either way");
    assertEquals(Json.MAPPER.readTree(whole.calls().get(0).arguments()), Json.MAPPER.readTree(streamed.calls().get(0).arguments()));
    assertEquals(whole.completionTokens(), streamed.completionTokens());
  }

  @Test
  void aPromptLargerThanItsContextIsRefusedWithTheSizesLikeLlamaCpp() throws Exception {
    ObjectNode body = request(false, "word ".repeat(12_000));
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(400, r.statusCode(), r.body());
    JsonNode error = Json.MAPPER.readTree(r.body()).path("error");
    assertEquals("exceed_context_size_error", error.path("type").asText());
    assertEquals(LocalModelServer.CONTEXT_TOKENS, error.path("n_ctx").asInt());
    assertTrue(error.path("n_prompt_tokens").asInt() > LocalModelServer.CONTEXT_TOKENS);
  }
}
