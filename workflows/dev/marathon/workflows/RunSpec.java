package dev.marathon.workflows;

/**
 * What a run is, fixed when it starts.
 *
 * @param runId the workflow id, the name users see and type
 * @param title one line shown in lists and as the Web UI summary
 * @param repo absolute path of the user's git repository
 * @param branch the branch the run's work lands on, {@code marathon/<runId>}
 */
public record RunSpec(
    String runId,
    String title,
    String repo,
    String branch,
    ModelSettings model,
    RunOptions options) {}
