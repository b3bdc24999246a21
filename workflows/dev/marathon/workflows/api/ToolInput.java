package dev.marathon.workflows.api;

import dev.marathon.workflows.Containment;

/**
 * Run one tool call in the workspace.
 *
 * @param contextRef the conversation checkpoint holding the assistant message that made the call;
 *     the activity reads the call's arguments there (null for calls scheduled before commit
 *     cc3df7c of 2026-11-30, whose arguments were stored under {@link ToolCall.Workspace#argumentsHash})
 * @param stepId unique per call within the run, e.g. {@code 42.1}; names the snapshot
 * @param workspaceRef the snapshot the workspace must be at before the call runs
 * @param commandSeconds how long a command may run (already capped by the run's settings)
 * @param containment how the call's commands are contained; never null: calls scheduled before
 *     commit 7804246 of 2026-11-30, which added the sandbox, carry none and get the default
 * @param keyEnv the variable holding the run's model key: its value is redacted from the output
 * @param mcpToolsRef the run's MCP tools ({@link McpTools#ref}), or null: the run has none
 */
public record ToolInput(
    WorkspaceKey workspace,
    String contextRef,
    String stepId,
    String workspaceRef,
    ToolCall.Workspace call,
    int commandSeconds,
    Containment containment,
    String keyEnv,
    String mcpToolsRef) {

  public ToolInput {
    if (containment == null) containment = Containment.DEFAULT;
  }
}
