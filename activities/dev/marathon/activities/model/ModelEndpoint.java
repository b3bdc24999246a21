package dev.marathon.activities.model;

/**
 * Where to send chat completions and with which key. The key is read from the worker's
 * environment at call time and lives only here, in memory: {@link #toString} never shows it.
 *
 * @param keyEnv the name of the env var the key came from, for error messages
 */
public record ModelEndpoint(String baseUrl, String apiKey, String keyEnv) {

  public String completionsUrl() {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    return base + "/chat/completions";
  }

  @Override
  public String toString() {
    return "ModelEndpoint[" + baseUrl + ", key from " + keyEnv + "]";
  }
}
