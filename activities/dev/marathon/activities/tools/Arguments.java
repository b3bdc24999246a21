package dev.marathon.activities.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.activities.Json;
import dev.marathon.activities.store.CheckpointStore;
import dev.marathon.workflows.Text;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A tool call's arguments, parsed once from the text the model sent, with readers whose messages
 * tell the model exactly what was wrong.
 */
public final class Arguments {
  /**
   * Arguments larger than this are refused, and the call is not run: no sane call needs more. (What
   * goes back to the model of any call is capped lower still, by {@code ReplyCap}.)
   */
  public static final int MAX_BYTES = 1024 * 1024;

  private final String tool;
  private final String text;
  private final JsonNode node;

  private Arguments(String tool, String text, JsonNode node) {
    this.tool = tool;
    this.text = text;
    this.node = node;
  }

  /**
   * Parses the arguments text of a call to {@code tool}. Blank means no arguments.
   *
   * @throws ToolException when the text is too large, not JSON, or not a JSON object
   */
  public static Arguments parse(String tool, String text) {
    String t = text == null || text.isBlank() ? "{}" : text;
    int bytes = t.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_BYTES) {
      throw new ToolException("the arguments of " + tool + " are " + String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024))
          + ", larger than 1 MiB, the cap for one call: the call was not run. Write big content in smaller pieces"
          + " (write_file, then edit_file or bash to append).");
    }
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(t);
    } catch (Exception e) {
      throw new ToolException("the arguments of " + tool + " are not valid JSON (" + Text.oneLine(e.getMessage(), 200) + "). Send a JSON object.");
    }
    if (node == null || !node.isObject()) throw new ToolException("the arguments of " + tool + " must be a JSON object.");
    return new Arguments(tool, t, node);
  }

  /** Content hash of the arguments text: equal hashes mean identical calls (the stuck detector compares them). */
  public String hash() {
    return CheckpointStore.hash(text.getBytes(StandardCharsets.UTF_8));
  }

  public JsonNode node() {
    return node;
  }

  public String requiredString(String name) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) throw new ToolException(tool + ": missing required argument '" + name + "' (string)");
    if (!v.isTextual()) throw new ToolException(tool + ": argument '" + name + "' must be a string");
    return v.asText();
  }

  public String optionalString(String name, String fallback) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) return fallback;
    if (!v.isTextual()) throw new ToolException(tool + ": argument '" + name + "' must be a string");
    return v.asText();
  }

  public int optionalInt(String name, int fallback) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) return fallback;
    if (v.isIntegralNumber()) return v.asInt();
    if (v.isTextual() && v.asText().trim().matches("-?\\d+")) return Integer.parseInt(v.asText().trim());
    throw new ToolException(tool + ": argument '" + name + "' must be an integer");
  }

  public boolean optionalBoolean(String name, boolean fallback) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) return fallback;
    if (v.isBoolean()) return v.asBoolean();
    if (v.isTextual() && (v.asText().equals("true") || v.asText().equals("false"))) return Boolean.parseBoolean(v.asText());
    throw new ToolException(tool + ": argument '" + name + "' must be true or false");
  }
}
