package dev.marathon.cli;

import dev.marathon.runtime.ModelDefaults;
import dev.marathon.workflows.ModelSettings;
import picocli.CommandLine.Option;

/** Which model a run uses. The key is never an option: only the name of the variable holding it. */
final class ModelOptions {
  @Option(names = "--base-url", paramLabel = "URL",
      description = "OpenAI-compatible base URL, e.g. https://api.z.ai/api/paas/v4 (default: $MARATHON_BASE_URL).")
  String baseUrl;

  @Option(names = "--model", paramLabel = "NAME", description = "Model id, e.g. glm-5.1 (default: $MARATHON_MODEL).")
  String model;

  @Option(names = "--api-key-env", paramLabel = "VAR", defaultValue = "MARATHON_API_KEY",
      description = "Environment variable holding the API key on the workers (default: ${DEFAULT-VALUE}).")
  String apiKeyEnv;

  @Option(names = "--provider", paramLabel = "NAME",
      description = "Provider quirks: glm, kimi, deepseek, openai or generic (default: detected from the URL).")
  String provider;

  @Option(names = "--context-window", paramLabel = "TOKENS",
      description = "The model's context window (default: known per model, else 128000).")
  Long contextWindow;

  @Option(names = "--max-output-tokens", paramLabel = "TOKENS", defaultValue = "16384",
      description = "Cap on one completion (default: ${DEFAULT-VALUE}).")
  int maxOutputTokens;

  @Option(names = "--price", paramLabel = "IN,CACHED,OUT",
      description = "USD per million tokens, overriding the price table, e.g. 1.40,0.26,4.40.")
  String price;

  ModelSettings settings() {
    String url = baseUrl != null ? baseUrl : System.getenv("MARATHON_BASE_URL");
    String name = model != null ? model : System.getenv("MARATHON_MODEL");
    if (url == null || url.isBlank()) throw new BadInputException("no model endpoint: pass --base-url or set MARATHON_BASE_URL");
    OptionChecks.url(baseUrl != null ? "--base-url" : "MARATHON_BASE_URL", url);
    if (name == null || name.isBlank()) throw new BadInputException("no model: pass --model or set MARATHON_MODEL");
    try {
      dev.marathon.activities.model.Provider.of(provider, url);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(e.getMessage());
    }
    OptionChecks.atLeast("--context-window", contextWindow, 1024);
    OptionChecks.atLeast("--max-output-tokens", maxOutputTokens, 1);
    long window = contextWindow != null ? contextWindow : ModelDefaults.contextWindow(name);
    return new ModelSettings(url, name, apiKeyEnv, provider, window, maxOutputTokens, parsePrice());
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
