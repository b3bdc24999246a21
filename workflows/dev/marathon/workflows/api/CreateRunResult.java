package dev.marathon.workflows.api;

/**
 * @param contextRef the first conversation checkpoint (system prompt + task)
 * @param workspaceRef the first workspace snapshot
 */
public record CreateRunResult(String contextRef, String workspaceRef) {}
