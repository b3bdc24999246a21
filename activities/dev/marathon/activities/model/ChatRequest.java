package dev.marathon.activities.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.marathon.activities.Json;
import dev.marathon.activities.store.Message;
import java.util.List;

/**
 * Builds the body of {@code POST /chat/completions}. Preserved thinking happens here: every
 * earlier assistant message goes back with its reasoning, verbatim, where the provider accepts it.
 */
public final class ChatRequest {

  public static ObjectNode body(
      String model, List<Message> messages, JsonNode tools, Provider provider, int maxOutputTokens) {
    return body(model, messages, tools, provider, maxOutputTokens, false);
  }

  /** @param stream ask for the reply as server-sent events, usage in the last chunk */
  public static ObjectNode body(
      String model, List<Message> messages, JsonNode tools, Provider provider, int maxOutputTokens, boolean stream) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("model", model);
    ArrayNode out = body.putArray("messages");
    for (Message m : messages) out.add(toWire(m, provider));
    if (tools != null && tools.size() > 0) {
      body.set("tools", tools);
      body.put("tool_choice", "auto"); // the one value every provider accepts
    }
    body.put("stream", stream);
    if (stream) body.putObject("stream_options").put("include_usage", true);
    provider.decorate(body, maxOutputTokens);
    return body;
  }

  static ObjectNode toWire(Message m, Provider provider) {
    ObjectNode w = Json.MAPPER.createObjectNode();
    w.put("role", m.role());
    switch (m.role()) {
      case "assistant" -> {
        w.put("content", m.content() == null ? "" : m.content());
        if (!m.calls().isEmpty()) {
          ArrayNode calls = w.putArray("tool_calls");
          for (Message.Call c : m.calls()) {
            ObjectNode call = calls.addObject().put("id", c.id()).put("type", "function");
            call.putObject("function").put("name", c.name()).put("arguments", wireArguments(c.arguments()));
          }
        }
        if (provider.echoesReasoning()) {
          String reasoning = m.reasoning();
          if ((reasoning == null || reasoning.isEmpty()) && !m.calls().isEmpty() && provider.requiresReasoningOnToolCalls()) {
            reasoning = " "; // the provider rejects tool-call turns without the field
          }
          if (reasoning != null) w.put(reasoningField(m, provider), reasoning);
        }
      }
      case "tool" -> {
        w.put("tool_call_id", m.toolCallId());
        w.put("content", m.content() == null ? "" : m.content());
      }
      default -> w.put("content", m.content() == null ? "" : m.content());
    }
    return w;
  }

  /**
   * A call's arguments as they go back to the provider: verbatim when they are a JSON object, else
   * wrapped in one. Unparseable arguments (a reply cut at the output limit) sent back verbatim make
   * llama.cpp answer HTTP 500 on every later turn: the conversation would be poisoned.
   */
  static String wireArguments(String arguments) {
    if (arguments == null || arguments.isBlank()) return "{}";
    try {
      if (Json.MAPPER.readTree(arguments).isObject()) return arguments;
    } catch (Exception notJson) {
      // wrapped below
    }
    String kept = arguments.length() > 2_000 ? arguments.substring(0, 2_000) + "…" : arguments;
    return Json.MAPPER.createObjectNode().put("unparseable_arguments", kept).toString();
  }

  /** Local servers get reasoning back under the name they used; hosted providers under theirs. */
  private static String reasoningField(Message m, Provider provider) {
    if ((provider == Provider.GENERIC || provider == Provider.LOCAL) && m.reasoningField() != null) return m.reasoningField();
    return "reasoning_content";
  }

  private ChatRequest() {}
}
