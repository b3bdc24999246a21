package dev.marathon.activities.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.marathon.activities.Json;

/**
 * What the model is told about a tool: its name, what it does, and its arguments. Names and
 * arguments are a contract with the model; changing them changes every prompt.
 *
 * @param readOnly true when a call cannot change the workspace (no snapshot is needed after it)
 */
public record ToolSpec(String name, String description, Schema parameters, boolean readOnly) {

  /** The entry of a chat request's {@code tools} array. */
  public JsonNode toWire() {
    ObjectNode tool = Json.MAPPER.createObjectNode().put("type", "function");
    tool.putObject("function")
        .put("name", name)
        .put("description", description)
        .set("parameters", parameters.json());
    return tool;
  }
}
