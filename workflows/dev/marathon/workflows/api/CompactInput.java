package dev.marathon.workflows.api;

import dev.marathon.workflows.ModelSettings;
import dev.marathon.workflows.PlanStep;
import java.util.List;

/**
 * Shrink the conversation at {@code contextRef} to at most {@code targetTokens} (estimated).
 *
 * @param keepTurns the most recent assistant turns kept verbatim, reasoning included
 * @param plan the current plan, pinned into any summary
 */
public record CompactInput(
    String runId,
    int turn,
    String contextRef,
    long targetTokens,
    int keepTurns,
    List<PlanStep> plan,
    ModelSettings model) {}
