package dev.marathon.activities.tools;

import com.fasterxml.jackson.databind.JsonNode;

/** Reads tool arguments with messages that tell the model exactly what was wrong. */
public final class Arguments {
  private final String tool;
  private final JsonNode node;

  public Arguments(String tool, JsonNode node) {
    this.tool = tool;
    this.node = node;
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
