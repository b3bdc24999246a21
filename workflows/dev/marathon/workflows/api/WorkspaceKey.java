package dev.marathon.workflows.api;

/** Identifies a run's workspace: the worktree of {@code repo} on {@code branch}. */
public record WorkspaceKey(String runId, String repo, String branch) {}
