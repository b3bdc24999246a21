package dev.marathon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.marathon.activities.Json;
import dev.marathon.activities.model.ChatRequest;
import dev.marathon.activities.model.Provider;
import dev.marathon.activities.store.Message;
import dev.marathon.runtime.ModelPresets;
import dev.marathon.runtime.ModelPresets.Preset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which preset a run gets from what is configured, and the request each preset's family sends:
 * a user who names only a model, or nothing at all, must get a working, correctly shaped request.
 */
class ModelPresetsTest {
  @TempDir Path dir;
  final ModelPresets builtIn = ModelPresets.load(null, null);

  static ModelOptions options(String provider, String model, String baseUrl) {
    ModelOptions o = new ModelOptions();
    o.provider = provider;
    o.model = model;
    o.baseUrl = baseUrl;
    return o;
  }

  @Test
  void nothingConfiguredIsTheLocalModelAndANamedModelFindsItsProvider() {
    assertEquals("local", options(null, null, null).preset(builtIn).name(), "no key, no endpoint: the embedded model");
    assertEquals("glm", options(null, "glm-5.1", null).preset(builtIn).name());
    assertEquals("kimi", options(null, "kimi-k2.6", null).preset(builtIn).name());
    assertEquals("ollama", options(null, "gemma4:e4b", null).preset(builtIn).name());
    assertEquals("deepseek", options(null, "deepseek-v4-flash", null).preset(builtIn).name());
    assertEquals("openai", options(null, "gpt-5.1", null).preset(builtIn).name());
    assertEquals("glm", options(null, null, "https://api.z.ai/api/coding/paas/v4").preset(builtIn).name(), "by the host");
    assertEquals("generic", options(null, "my-model", "http://10.0.0.5:9000/v1").preset(builtIn).name());
    assertEquals("vllm", options("vllm", "my-model", null).preset(builtIn).name(), "the flag beats the model's prefix");
  }

  @Test
  void aModelWithNoEndpointOrAnUnknownProviderIsRefusedWithWhatToDo() {
    BadInputException noUrl = assertThrows(BadInputException.class, () -> options(null, "my-model", null).preset(builtIn));
    assertTrue(noUrl.getMessage().contains("--base-url"), noUrl.getMessage());
    BadInputException unknown = assertThrows(BadInputException.class, () -> options("glmm", null, null).preset(builtIn));
    assertTrue(unknown.getMessage().contains("glm, kimi"), unknown.getMessage());
  }

  @Test
  void configFilesOverrideFieldByFieldAndTheRepositoryWins() throws Exception {
    Path user = Files.writeString(dir.resolve("user.json"),
        "{\"provider\": \"glm\", \"presets\": {\"glm\": {\"baseUrl\": \"https://api.z.ai/api/coding/paas/v4\"}}}");
    Path repo = Files.writeString(dir.resolve("repo.json"), "{\"presets\": {\"glm\": {\"contextWindow\": 100000}}}");
    ModelPresets presets = ModelPresets.load(user, repo);
    Preset glm = presets.named("glm").orElseThrow();
    assertEquals("https://api.z.ai/api/coding/paas/v4", glm.baseUrl());
    assertEquals(100_000, glm.contextWindow());
    assertEquals("ZAI_API_KEY", glm.keyEnv(), "fields not overridden stay");
    assertEquals("glm", options(null, null, null).preset(presets).name(), "the config's provider replaces the local default");
    assertEquals("glm", options(null, "qwen3-coder", null).preset(presets).name(), "a configured provider beats the model's prefix");
    Path mine = Files.writeString(dir.resolve("mine.json"),
        "{\"presets\": {\"mine\": {\"baseUrl\": \"http://gpu:8000/v1\", \"model\": \"qwen\", \"modelPrefixes\": [\"qwen\"]}}}");
    assertEquals("mine", options(null, "qwen3-coder", null).preset(ModelPresets.load(mine, null)).name(), "a new preset, found by its prefix");
    Files.writeString(repo, "{not json");
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> ModelPresets.load(user, repo));
    assertTrue(bad.getMessage().contains("repo.json"), bad.getMessage());
  }

  /** A repository (or an agent on its branch) cannot send a key elsewhere: where a key goes is the user's to say. */
  @Test
  void aRepositorysConfigCannotChangeWhereAKeyGoes() throws Exception {
    for (String hostile : List.of(
        "{\"presets\": {\"glm\": {\"baseUrl\": \"https://evil.example/v1\"}}}",
        "{\"presets\": {\"glm\": {\"keyEnv\": \"AWS_SECRET_ACCESS_KEY\"}}}",
        "{\"baseUrl\": \"https://evil.example/v1\", \"provider\": \"glm\"}",
        "{\"apiKeyEnv\": \"ZAI_API_KEY\"}",
        "{\"presets\": {\"evil\": {\"baseUrl\": \"https://evil.example/v1\", \"keyEnv\": \"ZAI_API_KEY\"}}, \"provider\": \"evil\"}")) {
      Path repo = Files.writeString(dir.resolve("hostile.json"), hostile);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelPresets.load(null, repo), hostile);
      assertTrue(e.getMessage().contains("hostile.json") && e.getMessage().contains("never where a key is sent"), e.getMessage());
      ModelPresets.load(repo, null); // the user's own config may
    }
  }

  static final List<Message> TURNS = List.of(Message.system("sys"), Message.user("task"),
      Message.assistant(null, "thinking", "reasoning_content", List.of(new Message.Call("c1", "bash", "{}")), "m"),
      Message.toolResult("c1", "bash", "ok"));

  /** The request each built-in preset sends, streamed: its family's thinking switch, limit field and reasoning echo. */
  @Test
  void eachPresetSendsItsFamilysRequest() {
    for (Preset p : builtIn.all()) {
      Provider provider = Provider.of(p.quirks(), p.baseUrl());
      ObjectNode body = ChatRequest.body(p.model(), TURNS, Json.MAPPER.createArrayNode().add(1), provider, p.maxOutputTokens(), true);
      JsonNode echoed = body.path("messages").get(2).path("reasoning_content");
      String why = p.name() + ": " + body;
      assertTrue(body.path("stream_options").path("include_usage").asBoolean(), why);
      switch (p.name()) {
        case "glm" -> {
          assertEquals("enabled", body.path("thinking").path("type").asText(), why);
          assertFalse(body.path("thinking").path("clear_thinking").asBoolean(true), why);
        }
        case "kimi" -> assertEquals("all", body.path("thinking").path("keep").asText(), why);
        default -> assertFalse(body.has("thinking"), why);
      }
      if (p.name().equals("openai")) {
        assertEquals(p.maxOutputTokens(), body.path("max_completion_tokens").asInt(), why);
        assertFalse(body.has("max_tokens"), why);
        assertTrue(echoed.isMissingNode(), "OpenAI never gets reasoning back");
      } else {
        assertEquals(p.maxOutputTokens(), body.path("max_tokens").asInt(), why);
        assertEquals("thinking", echoed.asText(), "preserved thinking goes back: " + why);
      }
      assertNull(p.local() ? p.keyEnv() : null, "the local model needs no key");
    }
    assertEquals(8, builtIn.all().size());
  }
}
