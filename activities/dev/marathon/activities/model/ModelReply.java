package dev.marathon.activities.model;

import dev.marathon.activities.store.Message;
import java.util.List;

/**
 * One parsed completion.
 *
 * @param reasoningField the wire name the reasoning came under ({@code reasoning_content} or
 *     {@code reasoning}), null when there was none
 * @param finishReason lower-cased; unknown values are kept as they came, never an error
 */
public record ModelReply(
    String content,
    String reasoning,
    String reasoningField,
    List<Message.Call> calls,
    String finishReason,
    long promptTokens,
    long completionTokens,
    long cachedTokens) {}
