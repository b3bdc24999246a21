package dev.marathon.activities.store;

import java.util.List;

/**
 * One message of a conversation as checkpointed: what the model saw or said, verbatim. An
 * assistant message keeps its reasoning exactly as returned, the wire name it came under and the
 * provider that wrote it, so it can be sent back unmodified on every later turn.
 *
 * @param role {@code system}, {@code user}, {@code assistant} or {@code tool}
 * @param reasoning the turn's thinking ({@code reasoning_content} / {@code reasoning}), or null
 * @param reasoningField the wire name the reasoning came under
 * @param toolCalls the assistant's tool calls, arguments as the raw JSON text
 * @param toolCallId for a tool result: the call it answers
 * @param name for a tool result: the tool's name
 * @param provider for an assistant message: the provider that produced it
 * @param contentRef for a tool result stored on its own (by the tool activity): its ref. A
 *     checkpoint keeps only the ref; {@link Conversations} fills in {@code content} when loading
 */
public record Message(
    String role,
    String content,
    String reasoning,
    String reasoningField,
    List<Call> toolCalls,
    String toolCallId,
    String name,
    String provider,
    String contentRef) {

  /** A tool call as the model made it. */
  public record Call(String id, String name, String arguments) {}

  public static Message system(String content) {
    return new Message("system", content, null, null, null, null, null, null, null);
  }

  public static Message user(String content) {
    return new Message("user", content, null, null, null, null, null, null, null);
  }

  public static Message toolResult(String callId, String tool, String content) {
    return new Message("tool", content, null, null, null, callId, tool, null, null);
  }

  /** A tool result whose text is already in the store under {@code ref}: checkpoints keep the ref. */
  public static Message storedToolResult(String callId, String tool, String ref, String content) {
    return new Message("tool", content, null, null, null, callId, tool, null, ref);
  }

  public static Message assistant(
      String content, String reasoning, String reasoningField, List<Call> calls, String provider) {
    return new Message("assistant", content, reasoning, reasoningField,
        calls == null || calls.isEmpty() ? null : List.copyOf(calls), null, null, provider, null);
  }

  /** As a checkpoint stores it: a stored tool result by its ref only. */
  Message forStorage() {
    return contentRef == null || content == null ? this
        : new Message(role, null, reasoning, reasoningField, toolCalls, toolCallId, name, provider, contentRef);
  }

  /** With the text of {@code contentRef} filled in. */
  Message withContent(String text) {
    return new Message(role, text, reasoning, reasoningField, toolCalls, toolCallId, name, provider, contentRef);
  }

  public boolean isAssistant() {
    return "assistant".equals(role);
  }

  public List<Call> calls() {
    return toolCalls == null ? List.of() : toolCalls;
  }

  /** Rough size in characters, for token estimates (about 4 characters a token). */
  public long chars() {
    long n = content == null ? 0 : content.length();
    if (reasoning != null) n += reasoning.length();
    for (Call c : calls()) n += c.name().length() + (c.arguments() == null ? 0 : c.arguments().length()) + 16;
    return n + 8;
  }
}
