package dev.marathon.workflows;

import dev.marathon.workflows.api.Observation;
import java.util.List;

/**
 * Where a paused run is put back to ({@code ./marathon rewind}): its state right after turn {@code
 * turn}'s tool results, read from the checkpoint store. Spending is not rewound: it was spent.
 */
public record Rewind(int turn, String contextRef, List<Observation> observations, String workspaceRef, List<PlanStep> plan,
    int toolCalls) {}
