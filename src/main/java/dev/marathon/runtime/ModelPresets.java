package dev.marathon.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.marathon.activities.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The model providers Marathon knows: base URL, the key's variable, the default model, context
 * window, output limit, and which quirks its API has (thinking parameters, token-limit field,
 * reasoning sent back). From {@code marathon/presets.json}, overridden field by field by
 * {@code $MARATHON_HOME/config.json} and then by the repository's {@code .marathon/config.json}:
 * <pre>{"provider": "glm", "presets": {"glm": {"baseUrl": "https://api.z.ai/api/coding/paas/v4"}}}</pre>
 */
public final class ModelPresets {
  /** Where the embedded local model is served. */
  public static final int LOCAL_PORT = 18434;
  /** Any OpenAI-compatible endpoint, given by URL and model: no defaults, no quirks. */
  public static final Preset GENERIC = new Preset("generic", null, null, null, "generic", 128_000, 16_384, List.of(), null, null, "");

  /**
   * One preset.
   *
   * @param keyEnv the variable holding the key; null for local servers
   * @param quirks the API's family: glm, kimi, deepseek, openai, generic or local
   * @param maxTurns a default turn budget (the local model's is small), or null
   * @param finishAtLimit whether a reached budget ends the run (wrap-up) instead of pausing it
   */
  public record Preset(String name, String baseUrl, String keyEnv, String model, String quirks, long contextWindow,
      int maxOutputTokens, List<String> modelPrefixes, Integer maxTurns, Boolean finishAtLimit, String about) {

    public boolean local() {
      return "local".equals(quirks);
    }
  }

  private final Map<String, Preset> presets;
  private final JsonNode config;

  private ModelPresets(Map<String, Preset> presets, JsonNode config) {
    this.presets = presets;
    this.config = config;
  }

  /** The built-in presets under the user's and the repository's config files (either may be missing). */
  public static ModelPresets load(Path userConfig, Path repoConfig) {
    ObjectNode merged;
    try (InputStream in = ModelPresets.class.getResourceAsStream("/marathon/presets.json")) {
      merged = (ObjectNode) Json.MAPPER.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ObjectNode config = Json.MAPPER.createObjectNode();
    for (Path file : new Path[] {userConfig, repoConfig}) {
      if (file == null || !Files.isRegularFile(file)) continue;
      JsonNode c;
      try {
        c = Json.MAPPER.readTree(file.toFile());
      } catch (IOException e) {
        throw new IllegalArgumentException(file + " is not valid JSON: " + e.getMessage());
      }
      if (file.equals(repoConfig)) refuseRedirects(file, c);
      c.path("presets").fields().forEachRemaining(p -> {
        JsonNode base = merged.get(p.getKey());
        if (base instanceof ObjectNode o) o.setAll((ObjectNode) p.getValue());
        else merged.set(p.getKey(), p.getValue());
      });
      c.fields().forEachRemaining(f -> { if (!f.getKey().equals("presets")) config.set(f.getKey(), f.getValue()); });
    }
    Map<String, Preset> presets = new LinkedHashMap<>();
    merged.fields().forEachRemaining(e -> presets.put(e.getKey(), preset(e.getKey(), e.getValue())));
    return new ModelPresets(presets, config);
  }

  /**
   * What a repository's config may set: which preset and model, and a preset's limits. Not where a
   * key is sent (a base URL, a key variable) — a repository is whatever its last committer, or an
   * agent on its branch, wrote, and would otherwise send {@code ZAI_API_KEY} to a host of its choice
   * while the CLI says only "model glm-5.1".
   */
  static final java.util.Set<String> REPOSITORY_MAY_SET = java.util.Set.of("provider", "model", "presets", "setup", "notify", "mcpServers");
  static final java.util.Set<String> REPOSITORY_PRESET_MAY_SET = java.util.Set.of(
      "model", "contextWindow", "maxOutputTokens", "modelPrefixes", "maxTurns", "finishAtLimit", "about");

  private static void refuseRedirects(Path file, JsonNode c) {
    List<String> refused = new ArrayList<>();
    c.fieldNames().forEachRemaining(f -> { if (!REPOSITORY_MAY_SET.contains(f)) refused.add(f); });
    c.path("presets").fields().forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(f -> {
      if (!REPOSITORY_PRESET_MAY_SET.contains(f)) refused.add("presets." + p.getKey() + "." + f);
    }));
    if (!refused.isEmpty()) {
      throw new IllegalArgumentException(file + " sets " + String.join(", ", refused) + ": a repository's config may set only "
          + "provider, model and a preset's " + String.join(", ", new java.util.TreeSet<>(REPOSITORY_PRESET_MAY_SET))
          + " (never where a key is sent); put the rest in ~/.marathon/config.json or pass it as a flag");
    }
  }

  private static Preset preset(String name, JsonNode p) {
    List<String> prefixes = new ArrayList<>();
    p.path("modelPrefixes").forEach(x -> prefixes.add(x.asText()));
    return new Preset(name, p.path("baseUrl").asText(null), p.hasNonNull("keyEnv") ? p.get("keyEnv").asText() : null,
        p.path("model").asText(null), p.path("quirks").asText("generic"), p.path("contextWindow").asLong(128_000),
        p.path("maxOutputTokens").asInt(16_384), prefixes, p.hasNonNull("maxTurns") ? p.get("maxTurns").asInt() : null,
        p.hasNonNull("finishAtLimit") ? p.get("finishAtLimit").asBoolean() : null, p.path("about").asText(""));
  }

  public List<Preset> all() {
    return List.copyOf(presets.values());
  }

  public Optional<Preset> named(String name) {
    return Optional.ofNullable(presets.get(name));
  }

  /** The preset a model name belongs to ({@code glm-5.1} → glm, {@code gemma4:e4b} → ollama). */
  public Optional<Preset> forModel(String model) {
    for (Preset p : presets.values()) {
      for (String prefix : p.modelPrefixes()) if (model.startsWith(prefix)) return Optional.of(p);
    }
    return Optional.empty();
  }

  /** A value the config files set outside any preset ({@code provider}, {@code model}, {@code baseUrl}, ...), or null. */
  public String configured(String key) {
    return config.hasNonNull(key) ? config.get(key).asText() : null;
  }
}
