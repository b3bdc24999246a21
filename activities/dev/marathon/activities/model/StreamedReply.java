package dev.marathon.activities.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.activities.store.Message;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A streamed completion (SSE chunks) put back together: text and reasoning deltas appended, tool
 * calls accumulated by {@code delta.tool_calls[].index} (id, type and name arrive once, arguments in
 * fragments), usage from whichever chunk carries it. Tolerates every provider's variant listed in
 * docs/model-protocol.md: usage with or without choices, or inside the choice; a call sent whole
 * in one chunk; arguments as an object; reasoning before content.
 */
final class StreamedReply {
  private final StringBuilder content = new StringBuilder();
  private final StringBuilder reasoning = new StringBuilder();
  private String reasoningField;
  private boolean anyContent;
  private final Map<Integer, PartialCall> calls = new TreeMap<>(); // by index

  /**
   * A call as its deltas arrive. The arguments come in fragments of a few characters each, so they
   * are appended to a builder: adding each fragment to a string copied the whole so far every time,
   * and a call of a few megabytes (a million fragments) took hours, retried turn after turn.
   */
  private static final class PartialCall {
    String id;
    String name;
    final StringBuilder arguments = new StringBuilder();
  }
  private String finishReason;
  private JsonNode usage;

  /** Takes one chunk. */
  void add(JsonNode chunk) {
    if (chunk.hasNonNull("usage")) usage = chunk.get("usage");
    JsonNode choices = chunk.path("choices");
    if (!choices.isArray()) return;
    for (JsonNode choice : choices) {
      if (choice.hasNonNull("usage")) usage = choice.get("usage");
      if (choice.hasNonNull("finish_reason")) finishReason = choice.get("finish_reason").asText().toLowerCase(Locale.ROOT);
      JsonNode delta = choice.has("delta") ? choice.get("delta") : choice.path("message");
      if (delta.hasNonNull("content")) {
        anyContent = true;
        content.append(ChatResponse.text(delta.get("content")));
      }
      for (String field : new String[] {"reasoning_content", "reasoning"}) {
        if (delta.hasNonNull(field)) {
          if (reasoningField == null) reasoningField = field;
          reasoning.append(ChatResponse.text(delta.get(field)));
        }
      }
      JsonNode toolCalls = delta.path("tool_calls");
      for (int i = 0; i < toolCalls.size(); i++) {
        JsonNode tc = toolCalls.get(i);
        int index = tc.has("index") ? tc.get("index").asInt() : i;
        PartialCall call = calls.computeIfAbsent(index, k -> new PartialCall());
        if (call.id == null && tc.hasNonNull("id") && !tc.get("id").asText().isEmpty()) call.id = tc.get("id").asText();
        JsonNode fn = tc.path("function");
        if (call.name == null && fn.hasNonNull("name") && !fn.get("name").asText().isEmpty()) call.name = fn.get("name").asText();
        JsonNode args = fn.get("arguments");
        if (args != null && !args.isNull()) call.arguments.append(args.isTextual() ? args.asText() : args.toString());
      }
    }
  }

  /** The last characters produced so far (reasoning, then text), for a live view of the turn. */
  String tail(int chars) {
    // Only the ends are copied: a runaway reply can be megabytes long, and this runs every second.
    String all = reasoning.substring(Math.max(0, reasoning.length() - chars))
        + (reasoning.length() > 0 && content.length() > 0 ? "\n" : "") + content.substring(Math.max(0, content.length() - chars));
    return all.length() <= chars ? all : all.substring(all.length() - chars);
  }

  ModelReply reply(int turn) {
    List<Message.Call> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    int i = 0;
    for (PartialCall c : calls.values()) {
      String id = c.id != null ? c.id : "call_" + turn + "_" + i;
      while (!ids.add(id)) id = id + "_" + i;
      out.add(new Message.Call(id, c.name == null ? "" : c.name, c.arguments.length() == 0 ? "{}" : c.arguments.toString()));
      i++;
    }
    JsonNode u = usage == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : usage;
    long prompt = u.path("prompt_tokens").asLong(0);
    long completion = u.path("completion_tokens").asLong(0);
    long cached = u.path("prompt_tokens_details").path("cached_tokens").asLong(
        u.path("cached_tokens").asLong(u.path("prompt_cache_hit_tokens").asLong(0)));
    return new ModelReply(anyContent ? content.toString() : null, reasoningField == null ? null : reasoning.toString(), reasoningField,
        out, finishReason == null ? "unknown" : finishReason, prompt, completion, cached);
  }
}
