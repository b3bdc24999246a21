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
 */
public record CompactResult(
    String contextRef, Compaction method, long tokensBefore, long tokensAfter, Usage usage) {}
