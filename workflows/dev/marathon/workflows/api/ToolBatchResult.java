package dev.marathon.workflows.api;

import java.util.List;

/**
 * The results of a {@link ToolBatch}'s calls, in order. Fewer results than calls means the
 * workspace broke at the next call: the workflow runs it (and the rest) one by one, where a broken
 * workspace pauses the run as it always does.
 */
public record ToolBatchResult(List<ToolResult> results) {}
