package dev.marathon.workflows.api;

/**
 * Start a run: its workspace, and the task the agent is given in its first checkpoint.
 *
 * @param task the task text; null for a sub-agent, whose task is read from {@code spawnedFrom}
 * @param spawnedFrom set for a sub-agent; null for a run started by a person
 * @param forkedFrom set for a fork: its workspace is another run's at one of its snapshots, and
 *     its conversation exists already (no new one is written)
 */
public record CreateRunInput(WorkspaceKey workspace, String title, String task, SpawnedFrom spawnedFrom, ForkedFrom forkedFrom) {
  public CreateRunInput(WorkspaceKey workspace, String title, String task) {
    this(workspace, title, task, null, null);
  }

  /** A fork starts from {@code snapshot} of the run whose workspace is {@code source}: the same files, the same HEAD. */
  public record ForkedFrom(WorkspaceKey source, String snapshot) {}
}
