package dev.marathon.workflows.api;

import java.util.List;

/**
 * @param workspaceRef the coordinator's workspace after the merges
 * @param observationRef the stored text {@code wait_agents} returns to the model
 * @param conflicted ids of the sub-agents whose merge left conflict markers
 */
public record CollectResult(String workspaceRef, String observationRef, int observationChars, List<String> conflicted) {}
