package dev.marathon.workflows.api;

/**
 * Start a run: its workspace, and the task the agent is given in its first checkpoint.
 *
 * @param task the task text; null for a sub-agent, whose task is read from {@code spawnedFrom}
 * @param spawnedFrom set for a sub-agent; null for a run started by a person
 */
public record CreateRunInput(WorkspaceKey workspace, String title, String task, SpawnedFrom spawnedFrom) {
  public CreateRunInput(WorkspaceKey workspace, String title, String task) {
    this(workspace, title, task, null);
  }
}
