package dev.marathon.activities.tools;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.marathon.activities.Json;

/**
 * A JSON schema for tool arguments, built in code next to the tool that reads them, so the
 * contract the model is offered and the code that enforces it cannot drift apart.
 */
public final class Schema {
  private final ObjectNode node;

  private Schema(ObjectNode node) {
    this.node = node;
  }

  /** A schema a tool's server published (an MCP tool's {@code inputSchema}), as it is. */
  public static Schema given(ObjectNode schema) {
    return new Schema(schema.deepCopy());
  }

  public static Schema string(String description) {
    return typed("string", description);
  }

  public static Schema integer(String description) {
    return typed("integer", description);
  }

  public static Schema number(String description) {
    return typed("number", description);
  }

  public static Schema bool(String description) {
    return typed("boolean", description);
  }

  /** A string that must be one of {@code values}. */
  public static Schema oneOf(String... values) {
    Schema s = typed("string", null);
    ArrayNode e = s.node.putArray("enum");
    for (String v : values) e.add(v);
    return s;
  }

  public static Schema array(Schema items, String description) {
    Schema s = typed("array", description);
    s.node.set("items", items.node);
    return s;
  }

  /** An object with no properties yet; add them with {@link #required} and {@link #optional}. */
  public static Schema object() {
    Schema s = typed("object", null);
    s.node.putObject("properties");
    return s;
  }

  public Schema required(String name, Schema property) {
    property(name, property);
    ArrayNode required = node.has("required") ? (ArrayNode) node.get("required") : node.putArray("required");
    required.add(name);
    return this;
  }

  public Schema optional(String name, Schema property) {
    property(name, property);
    return this;
  }

  /** The schema as JSON (a copy: callers may not change a tool's contract). */
  public ObjectNode json() {
    return node.deepCopy();
  }

  private void property(String name, Schema property) {
    if (!node.has("properties")) throw new IllegalStateException("only an object schema has properties");
    ((ObjectNode) node.get("properties")).set(name, property.node);
  }

  private static Schema typed(String type, String description) {
    ObjectNode n = Json.MAPPER.createObjectNode().put("type", type);
    if (description != null) n.put("description", description);
    return new Schema(n);
  }
}
