package dev.marathon.workflows.api;

/**
 * Run one tool call in the workspace.
 *
 * @param stepId unique per call within the run, e.g. {@code 42.1}; names the snapshot
 * @param workspaceRef the snapshot the workspace must be at before the call runs
 * @param commandSeconds how long a command may run (already capped by the run's settings)
 */
public record ToolInput(
    WorkspaceKey workspace,
    String stepId,
    String workspaceRef,
    ToolCall.Workspace call,
    int commandSeconds) {}
