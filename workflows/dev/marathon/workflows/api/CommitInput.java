package dev.marathon.workflows.api;

/**
 * Commit the workspace at {@code workspaceRef} onto the run's branch with {@code message}.
 *
 * @param report a sub-agent's final report, stored for its coordinator; null for other runs
 */
public record CommitInput(WorkspaceKey workspace, String workspaceRef, String message, String report) {
  public CommitInput(WorkspaceKey workspace, String workspaceRef, String message) {
    this(workspace, workspaceRef, message, null);
  }
}
