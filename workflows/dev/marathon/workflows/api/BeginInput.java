package dev.marathon.workflows.api;

/** Start a run: its workspace and the task the agent is given. */
public record BeginInput(WorkspaceKey workspace, String title, String task) {}
