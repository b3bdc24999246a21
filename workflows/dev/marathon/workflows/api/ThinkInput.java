package dev.marathon.workflows.api;

import dev.marathon.workflows.ModelSettings;
import java.util.List;

/**
 * One model turn: continue the conversation at {@code contextRef} with the pending tool results
 * and operator/runtime messages, then ask the model.
 *
 * @param userMessages short messages for the model (operator steering, wrap-up notices, nudges)
 * @param coordinator the run coordinates a swarm: the model is offered the swarm's tools too
 * @param workspaceRef where the workspace is as this turn starts (recorded with the turn)
 * @param mcpToolsRef the run's MCP tools as recorded when it began ({@link McpTools#ref}), or null: none
 */
public record ThinkInput(
    String runId,
    int turn,
    String contextRef,
    List<Observation> observations,
    List<String> userMessages,
    ModelSettings model,
    boolean coordinator,
    String workspaceRef,
    String mcpToolsRef) {

  public ThinkInput(String runId, int turn, String contextRef, List<Observation> observations, List<String> userMessages,
      ModelSettings model) {
    this(runId, turn, contextRef, observations, userMessages, model, false, null, null);
  }
}
