package dev.marathon.workflows.api;

import com.fasterxml.jackson.annotation.JsonAlias;
import dev.marathon.workflows.Usage;
import java.util.List;

/**
 * What the model did in one turn. Only refs and short digests: the full reply and reasoning are
 * in the checkpoint at {@code contextRef}.
 *
 * @param replyDigest the first few hundred characters of the model's text reply (the whole
 *     reply is in the checkpoint)
 * @param thinkingDigest the first few hundred characters of the turn's reasoning, so the Web UI
 *     shows what the agent thought
 * @param usage tokens and cost of this turn only
 * @param finishReason the provider's finish_reason, normalized to lower case
 * @param contextWindow the window the server says it gives, when it says (a local server started
 *     with less than the model's own), else null
 */
public record ThinkResult(
    String contextRef,
    List<ToolCall> calls,
    @JsonAlias("reply") String replyDigest,
    @JsonAlias("thinking") String thinkingDigest,
    Usage usage,
    String finishReason,
    Long contextWindow) {}
