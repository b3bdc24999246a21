package dev.marathon.workflows.api;

import dev.marathon.workflows.Usage;

/**
 * The compacted conversation.
 *
 * @param contextRef the new checkpoint (unchanged input ref when nothing could be done)
 * @param method what was done
 * @param tokensBefore estimated tokens before
 * @param tokensAfter estimated tokens after
 * @param usage tokens spent on the summarizing call, if any
 * @param note what an operator should know about how it went (e.g. the summary call returned no
 *     text and old tool results were masked instead), or null
 */
public record CompactResult(
    String contextRef, Compaction method, long tokensBefore, long tokensAfter, Usage usage, String note) {}
