package dev.marathon.cli;

import dev.marathon.activities.model.Provider;
import dev.marathon.runtime.MarathonHome;
import dev.marathon.runtime.ModelPresets;
import dev.marathon.runtime.ModelPresets.Preset;
import dev.marathon.workflows.ModelSettings;
import java.net.URI;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Which model a run uses. With nothing configured, the embedded local model (no key, offline).
 * Otherwise a preset ({@code --provider glm|kimi|deepseek|openai|ollama|vllm|llamacpp|local}, or
 * the one a model name belongs to), under the config files, the environment and these flags, in
 * that order of strength. The key is never an option: only the name of the variable holding it.
 */
final class ModelOptions {
  @Option(names = "--provider", paramLabel = "NAME",
      description = "A preset: glm, kimi, deepseek, openai, ollama, vllm, llamacpp, local (default: from --model or"
          + " --base-url; with nothing configured, local). ./marathon models lists them.")
  String provider;

  @Option(names = "--model", paramLabel = "NAME", description = "Model id, e.g. glm-5.1, kimi-k2.6, gemma4:e4b (default: $MARATHON_MODEL, else the preset's).")
  String model;

  @Option(names = "--base-url", paramLabel = "URL",
      description = "OpenAI-compatible base URL (default: $MARATHON_BASE_URL, else the preset's).")
  String baseUrl;

  @Option(names = "--api-key-env", paramLabel = "VAR",
      description = "Environment variable holding the API key on the workers (default: the preset's, e.g. ZAI_API_KEY;"
          + " else MARATHON_API_KEY).")
  String apiKeyEnv;

  @Option(names = "--context-window", paramLabel = "TOKENS",
      description = "The model's context window (default: the preset's; learned from servers that report it).")
  Long contextWindow;

  @Option(names = "--max-output-tokens", paramLabel = "TOKENS", description = "Cap on one completion (default: the preset's).")
  Integer maxOutputTokens;

  @Option(names = "--price", paramLabel = "IN,CACHED,OUT",
      description = "USD per million tokens, overriding the price table, e.g. 1.40,0.26,4.40.")
  String price;

  @Option(names = "--no-stream", description = "Ask for whole replies instead of streaming them (SSE).")
  boolean noStream;

  private Preset chosen;

  /** The preset {@link #settings} resolved. */
  Preset chosen() {
    return chosen;
  }

  /** The preset chosen by what is configured (flags, environment, config files), or local when nothing is. */
  Preset preset(ModelPresets presets) {
    String name = first(provider, presets.configured("provider"));
    if (name != null) {
      if ("generic".equals(name)) return ModelPresets.GENERIC;
      return presets.named(name).orElseThrow(() -> new BadInputException(
          "unknown provider '" + name + "': use one of " + presets.all().stream().map(Preset::name).toList() + " (./marathon models)"));
    }
    String m = first(model, env("MARATHON_MODEL"), presets.configured("model"));
    if (m != null && presets.forModel(m).isPresent()) return presets.forModel(m).get();
    String url = first(baseUrl, env("MARATHON_BASE_URL"), presets.configured("baseUrl"));
    if (url != null) {
      Provider detected = Provider.of(null, url);
      for (Preset p : presets.all()) if (p.quirks().equals(detected.wireName()) && !"generic".equals(p.quirks())) return p;
      return ModelPresets.GENERIC;
    }
    if (m != null) throw new BadInputException("no endpoint for model '" + m + "': pass --base-url or --provider (./marathon models)");
    return presets.named("local").orElseThrow();
  }

  /** The presets with the user's and {@code repo}'s config files over them (repo may be null); a bad file is bad input. */
  static ModelPresets presets(Path repo) {
    try {
      return ModelPresets.load(MarathonHome.fromEnvironment().config(), repo == null ? null : repo.resolve(".marathon/config.json"));
    } catch (IllegalArgumentException e) {
      throw new BadInputException(e.getMessage());
    }
  }

  ModelSettings settings(Path repo) {
    ModelPresets presets = presets(repo);
    Preset p = preset(presets);
    chosen = p;
    String url = first(baseUrl, env("MARATHON_BASE_URL"), presets.configured("baseUrl"), p.baseUrl());
    String name = first(model, env("MARATHON_MODEL"), presets.configured("model"), p.model());
    if (url == null || url.isBlank()) throw new BadInputException("no model endpoint: pass --base-url, --provider, or set MARATHON_BASE_URL");
    OptionChecks.url(baseUrl != null ? "--base-url" : "the base URL", url);
    if (name == null || name.isBlank()) throw new BadInputException("no model: pass --model or set MARATHON_MODEL");
    String keyEnv = first(apiKeyEnv, presets.configured("apiKeyEnv"), p.keyEnv(),
        p.local() || isLocal(url) ? null : "MARATHON_API_KEY");
    OptionChecks.atLeast("--context-window", contextWindow, 1024);
    OptionChecks.atLeast("--max-output-tokens", maxOutputTokens, 1);
    long window = contextWindow != null ? contextWindow : p.contextWindow();
    int output = maxOutputTokens != null ? maxOutputTokens : p.maxOutputTokens();
    return new ModelSettings(url, name, keyEnv, p.quirks(), window, output, parsePrice(), noStream ? Boolean.FALSE : null);
  }

  /** An environment variable, or null when it is unset or blank. */
  private static String env(String name) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? null : v;
  }

  static boolean isLocal(String url) {
    String host = URI.create(url).getHost();
    return host != null && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("::1") || host.equals("[::1]"));
  }

  @SafeVarargs
  private static <T> T first(T... values) {
    for (T v : values) if (v != null) return v;
    return null;
  }

  private ModelSettings.Price parsePrice() {
    if (price == null) return null;
    String[] parts = price.split(",");
    try {
      if (parts.length != 3) throw new NumberFormatException();
      ModelSettings.Price p = new ModelSettings.Price(Double.parseDouble(parts[0]), Double.parseDouble(parts[1]), Double.parseDouble(parts[2]));
      for (double d : new double[] {p.input(), p.cachedInput(), p.output()}) {
        if (!(d >= 0) || Double.isInfinite(d)) throw new NumberFormatException();
      }
      return p;
    } catch (NumberFormatException e) {
      throw new BadInputException("--price takes three numbers, none negative, IN,CACHED,OUT (USD per million tokens), got '" + price + "'");
    }
  }
}
