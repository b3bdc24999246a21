package dev.marathon.workflows.api;

/** Commit the workspace at {@code workspaceRef} onto the run's branch with {@code message}. */
public record CommitInput(WorkspaceKey workspace, String workspaceRef, String message) {}
