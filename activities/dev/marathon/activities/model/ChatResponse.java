package dev.marathon.activities.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.activities.store.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reads a chat completion tolerantly: every provider quirk in docs/model-protocol.md is accepted. */
public final class ChatResponse {

  /**
   * @param turn used only to name tool calls that arrive without an id
   */
  public static ModelReply parse(JsonNode root, int turn) {
    JsonNode choices = root.path("choices");
    if (!choices.isArray() || choices.isEmpty()) {
      throw new ModelException(ModelException.Kind.RETRYABLE,
          "the model endpoint answered without choices: " + abbreviate(root.toString()), null);
    }
    JsonNode choice = choices.get(0);
    JsonNode message = choice.path("message");
    String content = text(message.get("content"));
    String reasoningField = null;
    String reasoning = null;
    if (message.hasNonNull("reasoning_content")) {
      reasoningField = "reasoning_content";
      reasoning = text(message.get("reasoning_content"));
    } else if (message.hasNonNull("reasoning")) {
      reasoningField = "reasoning";
      reasoning = text(message.get("reasoning"));
    }
    List<Message.Call> calls = new ArrayList<>();
    java.util.Set<String> ids = new java.util.HashSet<>();
    JsonNode toolCalls = message.path("tool_calls");
    if (toolCalls.isArray()) {
      for (int i = 0; i < toolCalls.size(); i++) {
        JsonNode tc = toolCalls.get(i);
        JsonNode fn = tc.path("function");
        String id = tc.hasNonNull("id") && !tc.get("id").asText().isEmpty() ? tc.get("id").asText() : "call_" + turn + "_" + i;
        while (!ids.add(id)) id = id + "_" + i; // a result must answer exactly one call: ids repeated by the model are made unique
        JsonNode args = fn.get("arguments");
        // Arguments are a JSON string by the spec; some servers send an object. Keep the text.
        String arguments = args == null || args.isNull() ? "{}" : args.isTextual() ? args.asText() : args.toString();
        calls.add(new Message.Call(id, fn.path("name").asText(""), arguments));
      }
    }
    String finish = choice.hasNonNull("finish_reason") ? choice.get("finish_reason").asText().toLowerCase(Locale.ROOT) : "unknown";
    JsonNode usage = root.hasNonNull("usage") ? root.get("usage") : choice.path("usage");
    long prompt = usage.path("prompt_tokens").asLong(0);
    long completion = usage.path("completion_tokens").asLong(0);
    long cached = usage.path("prompt_tokens_details").path("cached_tokens").asLong(
        usage.path("cached_tokens").asLong(usage.path("prompt_cache_hit_tokens").asLong(0)));
    return new ModelReply(content, reasoning, reasoningField, calls, finish, prompt, completion, cached);
  }

  static String text(JsonNode n) {
    if (n == null || n.isNull()) return null;
    if (n.isTextual()) return n.asText();
    if (n.isArray()) { // content parts: [{type: text, text: ...}]
      StringBuilder sb = new StringBuilder();
      for (JsonNode part : n) sb.append(part.path("text").asText(""));
      return sb.toString();
    }
    return n.toString();
  }

  static String abbreviate(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "…";
  }

  private ChatResponse() {}
}
