package dev.marathon.workflows;

import dev.marathon.workflows.api.WorkspaceKey;

/**
 * What a run is, fixed when it starts.
 *
 * @param runId the workflow id, the name users see and type
 * @param title one line shown in lists and as the Web UI summary
 * @param repo absolute path of the user's git repository
 * @param branch the branch the run's work lands on: {@code marathon/<runId>}, or for a
 *     sub-agent {@code marathon-swarm/<coordinator>/<runId>}, which cannot clash with it as a ref
 * @param swarm set on a coordinator: it is offered the swarm's tools; null otherwise
 * @param coordinator set on a sub-agent: the coordinator's run id, told when it pauses or ends
 */
public record RunSpec(
    String runId,
    String title,
    String repo,
    String branch,
    ModelSettings model,
    RunOptions options,
    Swarm swarm,
    String coordinator) {

  /** An ordinary run (neither coordinator nor sub-agent). */
  public RunSpec(String runId, String title, String repo, String branch, ModelSettings model, RunOptions options) {
    this(runId, title, repo, branch, model, options, null, null);
  }

  /** The run's workspace: its own clone of {@link #repo}, delivered on {@link #branch}. */
  public WorkspaceKey workspaceKey() {
    return new WorkspaceKey(runId, repo, branch);
  }
}
