package dev.marathon.activities.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.activities.Json;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Classifies a non-2xx answer once, by status and the provider's error code, into what the run
 * should do about it. The error body is modelled as a tree: {@code code} is a string for GLM, a
 * number for llama.cpp, or null.
 */
public final class ModelErrors {
  private static final Set<String> QUOTA_CODES =
      Set.of("1113", "1304", "exceeded_current_quota_error", "insufficient_quota", "billing_hard_limit_reached");
  private static final Set<String> AUTH_CODES = Set.of("1000", "1001", "1002", "1003", "1004", "invalid_api_key");

  /**
   * @param endpoint the URL called, for the message
   * @param keyEnv the env var the key came from, named in auth errors (never the key)
   */
  public static ModelException classify(
      int status, String body, Optional<String> retryAfter, String endpoint, String keyEnv) {
    JsonNode error = parse(body).path("error");
    String code = error.hasNonNull("code") ? error.get("code").asText() : "";
    String type = error.path("type").asText("");
    String providerMessage = error.hasNonNull("message") ? error.get("message").asText() : ChatResponse.abbreviate(body == null ? "" : body.strip());
    String where = "HTTP " + status + " from " + endpoint;
    String detail = providerMessage.isBlank() ? "" : ": " + providerMessage;

    if (isContextOverflow(status, code, type, providerMessage)) {
      // llama.cpp says how large the window is: the run learns it and compacts to fit.
      return new ModelException(ModelException.Kind.CONTEXT_OVERFLOW,
          "the prompt is longer than the model's context window (" + where + detail + ")", null, error.path("n_ctx").asLong(0));
    }
    if (status == 401 || status == 403 || AUTH_CODES.contains(code)) {
      String key = keyEnv == null || keyEnv.isBlank() ? "the API key environment variable (--api-key-env)" : "the environment variable " + keyEnv;
      return new ModelException(ModelException.Kind.AUTH,
          "the model endpoint refused the API key (" + where + detail + "). Check " + key
              + " on the worker: it must hold a valid key for this endpoint.", null);
    }
    if (QUOTA_CODES.contains(code) || QUOTA_CODES.contains(type)) {
      return new ModelException(ModelException.Kind.QUOTA,
          "the model account is out of quota or balance (" + where + detail + "); waiting will not fix it", null);
    }
    if (status == 408 || status == 409 || status == 429 || status >= 500) {
      return new ModelException(ModelException.Kind.RETRYABLE, where + detail, retryAfter.map(ModelErrors::delay).orElse(null));
    }
    if (status == 404) {
      return new ModelException(ModelException.Kind.BAD_REQUEST,
          "model or endpoint not found (" + where + detail + "); check --base-url and --model", null);
    }
    return new ModelException(ModelException.Kind.BAD_REQUEST, "the model endpoint refused the request (" + where + detail + ")", null);
  }

  static boolean isContextOverflow(int status, String code, String type, String message) {
    if (status != 400 && status != 413 && status != 422 && !"1261".equals(code)) return false;
    String m = message.toLowerCase(Locale.ROOT);
    return code.equals("context_length_exceeded")
        || code.equals("1261")
        || type.equals("exceed_context_size_error")
        || m.contains("context length")
        || m.contains("context window")
        || m.contains("maximum context")
        || m.contains("input token length too long")
        || m.contains("exceeded model token limit")
        || m.contains("prompt is too long")
        || m.contains("too many tokens");
  }

  /** Retry-After is seconds or an HTTP date; retry-after-ms is milliseconds. */
  static Duration delay(String value) {
    String v = value.trim();
    try {
      if (v.endsWith("ms")) return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).trim()));
      return Duration.ofMillis((long) (Double.parseDouble(v) * 1000));
    } catch (NumberFormatException e) {
      try {
        java.time.ZonedDateTime at = java.time.ZonedDateTime.parse(v, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration d = Duration.between(java.time.ZonedDateTime.now(at.getZone()), at);
        return d.isNegative() ? Duration.ZERO : d;
      } catch (java.time.format.DateTimeParseException ignored) {
        return null;
      }
    }
  }

  private static JsonNode parse(String body) {
    try {
      return body == null || body.isBlank() ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(body);
    } catch (Exception e) {
      return Json.MAPPER.createObjectNode();
    }
  }

  private ModelErrors() {}
}
