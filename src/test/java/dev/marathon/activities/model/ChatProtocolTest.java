package dev.marathon.activities.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.marathon.activities.Json;
import dev.marathon.activities.store.Message;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The wire protocol and each provider quirk Marathon relies on (docs/model-protocol.md). */
class ChatProtocolTest {
  static final List<Message> CONVERSATION = List.of(
      Message.system("sys"),
      Message.user("task"),
      Message.assistant(null, "I think", "reasoning_content", List.of(new Message.Call("call_-830", "bash", "{\"command\":\"ls\"}")), "glm"),
      Message.toolResult("call_-830", "bash", "exit code: 0\n"),
      Message.assistant(null, "", null, List.of(new Message.Call("web_search:0", "bash", "{}")), "kimi"),
      Message.toolResult("web_search:0", "bash", "ok"));

  static JsonNode assistant(ObjectNode body, int n) {
    int seen = 0;
    for (JsonNode m : body.path("messages")) if (m.path("role").asText().equals("assistant") && seen++ == n) return m;
    throw new AssertionError("no assistant message " + n);
  }

  @Test
  void glmGetsPreservedThinkingSwitchedOnAndReasoningBack() {
    ObjectNode body = ChatRequest.body("glm-5.1", CONVERSATION, Json.MAPPER.createArrayNode().add(1), Provider.GLM, 8192);
    assertEquals("enabled", body.path("thinking").path("type").asText());
    assertFalse(body.path("thinking").path("clear_thinking").asBoolean(true));
    assertEquals("I think", assistant(body, 0).path("reasoning_content").asText());
    assertEquals(8192, body.path("max_tokens").asInt());
    assertEquals("auto", body.path("tool_choice").asText());
    assertFalse(body.has("temperature"));
    assertEquals("call_-830", assistant(body, 0).path("tool_calls").get(0).path("id").asText(), "ids are opaque");
  }

  @Test
  void kimiAndDeepSeekGetAReasoningFieldOnEveryToolCallTurn() {
    for (Provider p : List.of(Provider.KIMI, Provider.DEEPSEEK)) {
      ObjectNode body = ChatRequest.body("m", CONVERSATION, null, p, 100);
      assertEquals(" ", assistant(body, 1).path("reasoning_content").asText(), p + " demands the field");
    }
    assertEquals("all", ChatRequest.body("kimi-k2.6", CONVERSATION, null, Provider.KIMI, 1).path("thinking").path("keep").asText());
  }

  @Test
  void openAiNeverGetsReasoningAndReadsMaxCompletionTokens() {
    ObjectNode body = ChatRequest.body("gpt", CONVERSATION, null, Provider.OPENAI, 100);
    assertFalse(body.toString().contains("reasoning"));
    assertEquals(100, body.path("max_completion_tokens").asInt());
    assertFalse(body.has("max_tokens"));
  }

  @Test
  void localServersGetReasoningBackUnderTheNameTheyUsed() {
    List<Message> local = List.of(Message.user("t"),
        Message.assistant("hi", "hmm", "reasoning", List.of(), "generic"));
    ObjectNode body = ChatRequest.body("gemma4:e4b", local, null, Provider.GENERIC, 100);
    assertEquals("hmm", assistant(body, 0).path("reasoning").asText());
    assertFalse(assistant(body, 0).has("reasoning_content"));
  }

  @Test
  void providersAreDetectedFromTheBaseUrl() {
    assertEquals(Provider.GLM, Provider.of(null, "https://api.z.ai/api/paas/v4"));
    assertEquals(Provider.GLM, Provider.of(null, "https://open.bigmodel.cn/api/paas/v4"));
    assertEquals(Provider.KIMI, Provider.of(null, "https://api.moonshot.ai/v1"));
    assertEquals(Provider.DEEPSEEK, Provider.of(null, "https://api.deepseek.com"));
    assertEquals(Provider.OPENAI, Provider.of(null, "https://api.openai.com/v1"));
    assertEquals(Provider.GENERIC, Provider.of(null, "http://localhost:11434/v1"));
    assertEquals(Provider.OPENAI, Provider.of("openai", "http://localhost:8080/v1"));
  }

  @Test
  void responsesAreReadTolerantly() throws Exception {
    JsonNode vllm = Json.MAPPER.readTree("""
        {"choices":[{"message":{"content":null,"reasoning":"r",
          "tool_calls":[{"function":{"name":"bash","arguments":{"command":"ls"}}}]},
          "finish_reason":"tool_calls"}],
         "usage":{"prompt_tokens":10,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":4}},
         "extra_field":{"ignored":true}}""");
    ModelReply r = ChatResponse.parse(vllm, 7);
    assertNull(r.content());
    assertEquals("reasoning", r.reasoningField());
    assertEquals("call_7_0", r.calls().get(0).id(), "a missing id gets a stable one");
    assertEquals("{\"command\":\"ls\"}", r.calls().get(0).arguments(), "object arguments are kept as JSON text");
    assertEquals(4, r.cachedTokens());

    JsonNode kimi = Json.MAPPER.readTree("""
        {"choices":[{"message":{"content":"hi","reasoning_content":"r"},"finish_reason":"sensitive",
          "usage":{"prompt_tokens":3,"completion_tokens":1,"cached_tokens":2}}]}""");
    ModelReply k = ChatResponse.parse(kimi, 1);
    assertEquals("sensitive", k.finishReason(), "unknown finish reasons are data");
    assertEquals(3, k.promptTokens());
    assertEquals(2, k.cachedTokens());
  }

  @Test
  void errorsAreClassifiedByStatusAndProviderCode() {
    String url = "https://api.z.ai/api/paas/v4/chat/completions";
    assertEquals(ModelException.Kind.CONTEXT_OVERFLOW, ModelErrors.classify(400,
        "{\"error\":{\"message\":\"prompt too long\",\"code\":\"1261\"}}", Optional.empty(), url, "K").kind());
    assertEquals(ModelException.Kind.CONTEXT_OVERFLOW, ModelErrors.classify(400,
        "{\"error\":{\"message\":\"request (9000 tokens) exceeds the available context size\",\"type\":\"exceed_context_size_error\",\"code\":400}}",
        Optional.empty(), url, "K").kind());
    assertEquals(ModelException.Kind.CONTEXT_OVERFLOW, ModelErrors.classify(400,
        "{\"error\":{\"message\":\"Input token length too long\",\"type\":\"invalid_request_error\"}}", Optional.empty(), url, "K").kind());
    assertEquals(ModelException.Kind.QUOTA, ModelErrors.classify(429,
        "{\"error\":{\"message\":\"balance\",\"code\":\"1113\"}}", Optional.empty(), url, "K").kind());
    assertEquals(ModelException.Kind.QUOTA, ModelErrors.classify(429,
        "{\"error\":{\"message\":\"quota\",\"type\":\"exceeded_current_quota_error\"}}", Optional.empty(), url, "K").kind());
    ModelException limited = ModelErrors.classify(429, "{\"error\":{\"message\":\"slow down\",\"code\":\"1302\"}}", Optional.of("7"), url, "K");
    assertEquals(ModelException.Kind.RETRYABLE, limited.kind());
    assertEquals(Duration.ofSeconds(7), limited.retryAfter());
    assertEquals(Duration.ofMillis(1500), ModelErrors.delay("1500ms"));
    assertEquals(ModelException.Kind.RETRYABLE, ModelErrors.classify(502, "<html>bad gateway</html>", Optional.empty(), url, "K").kind());
    ModelException auth = ModelErrors.classify(401, "{\"error\":{\"message\":\"bad key\",\"code\":null}}", Optional.empty(), url, "ZAI_KEY");
    assertEquals(ModelException.Kind.AUTH, auth.kind());
    assertTrue(auth.getMessage().contains("ZAI_KEY"), auth.getMessage());
    assertEquals(ModelException.Kind.BAD_REQUEST, ModelErrors.classify(404, "", Optional.empty(), url, "K").kind());
    assertEquals(ModelException.Kind.BAD_REQUEST, ModelErrors.classify(400,
        "{\"error\":{\"message\":\"bad tool_choice\",\"code\":\"1214\"}}", Optional.empty(), url, "K").kind());
  }
}
