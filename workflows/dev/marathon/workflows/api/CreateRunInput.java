package dev.marathon.workflows.api;

/** Start a run: its workspace, and the task the agent is given in its first checkpoint. */
public record CreateRunInput(WorkspaceKey workspace, String title, String task) {}
