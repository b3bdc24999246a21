package dev.marathon.activities.model.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.marathon.activities.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * An OpenAI-style chat request as a model without tool tokens can read it, and the shape its answer
 * is forced into. The tools are described in the system message with one example; the answer is
 * decoded under a grammar that admits exactly one call of an offered tool with arguments valid for
 * its schema ({@code {"name": ..., "arguments": {...}}}); earlier calls are shown to the model in
 * that same form and their results as user messages.
 *
 * @param system the system message, tools included
 * @param turns (role, content) pairs after it, roles {@code user} and {@code assistant}
 */
public record LocalPrompt(String system, List<String[]> turns) {

  /**
   * A tool that ends the run is offered only once the conversation holds a tool result: a very
   * small model otherwise "finishes" before doing anything.
   */
  static final List<String> ENDS_THE_RUN = List.of("finish");

  public static LocalPrompt of(JsonNode request) {
    StringBuilder system = new StringBuilder();
    List<String[]> turns = new ArrayList<>();
    for (JsonNode m : request.path("messages")) {
      String role = m.path("role").asText();
      String content = text(m.get("content"));
      switch (role) {
        case "system" -> system.append(content).append('\n');
        case "assistant" -> {
          StringBuilder said = new StringBuilder(content);
          for (JsonNode c : m.path("tool_calls")) {
            if (said.length() > 0) said.append('\n');
            said.append(call(c.path("function").path("name").asText(), c.path("function").path("arguments")));
          }
          turns.add(new String[] {"assistant", said.toString()});
        }
        case "tool" -> turns.add(new String[] {"user", "Result of " + m.path("name").asText("the tool") + ":\n" + content});
        default -> turns.add(new String[] {"user", content});
      }
    }
    JsonNode tools = request.path("tools");
    if (tools.isArray() && tools.size() > 0) system.append('\n').append(toolGuide(tools));
    return new LocalPrompt(system.toString().strip(), turns);
  }

  /** Whether the conversation already holds a tool result. */
  public boolean hasToolResult() {
    for (String[] t : turns) if (t[1].startsWith("Result of ")) return true;
    return false;
  }

  /**
   * The JSON schema every answer must match: one of the offered tools with valid arguments. Tools
   * that end the run are left out until {@code mayEnd}.
   */
  public static String answerSchema(JsonNode tools, boolean mayEnd) {
    ObjectNode schema = Json.MAPPER.createObjectNode();
    ArrayNode oneOf = schema.putArray("oneOf");
    for (JsonNode t : tools) {
      JsonNode fn = t.path("function");
      String name = fn.path("name").asText();
      if (!mayEnd && ENDS_THE_RUN.contains(name) && tools.size() > 1) continue;
      ObjectNode option = oneOf.addObject().put("type", "object");
      ObjectNode props = option.putObject("properties");
      props.putObject("name").put("const", name);
      props.set("arguments", fn.has("parameters") ? fn.get("parameters") : Json.MAPPER.createObjectNode().put("type", "object"));
      option.putArray("required").add("name").add("arguments");
    }
    return schema.toString();
  }

  private static String toolGuide(JsonNode tools) {
    StringBuilder g = new StringBuilder("# Tools\n");
    for (JsonNode t : tools) {
      JsonNode fn = t.path("function");
      List<String> args = new ArrayList<>();
      fn.path("parameters").path("properties").fieldNames().forEachRemaining(args::add);
      String description = fn.path("description").asText();
      int dot = description.indexOf(". ");
      g.append("- ").append(fn.path("name").asText()).append(' ').append(args).append(": ")
          .append(dot > 0 ? description.substring(0, dot + 1) : description).append('\n');
    }
    g.append("\nReply with exactly one tool call, a JSON object {\"name\": tool, \"arguments\": {...}}. For example, to create")
        .append(" hello.txt saying hi:\n{\"name\": \"write_file\", \"arguments\": {\"path\": \"hello.txt\", \"content\": \"hi\"}}\n")
        .append("When the task is done, call finish.\n");
    return g.toString();
  }

  private static String call(String name, JsonNode arguments) {
    JsonNode args = arguments;
    if (arguments.isTextual()) {
      try {
        args = Json.MAPPER.readTree(arguments.asText());
      } catch (Exception notJson) {
        args = Json.MAPPER.createObjectNode();
      }
    }
    ObjectNode c = Json.MAPPER.createObjectNode().put("name", name);
    c.set("arguments", args);
    return c.toString();
  }

  private static String text(JsonNode content) {
    if (content == null || content.isNull()) return "";
    if (content.isArray()) {
      StringBuilder sb = new StringBuilder();
      for (JsonNode part : content) sb.append(part.path("text").asText(""));
      return sb.toString();
    }
    return content.asText();
  }
}
