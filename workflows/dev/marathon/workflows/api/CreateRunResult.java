package dev.marathon.workflows.api;

/**
 * @param contextRef the first conversation checkpoint (system prompt + task); null for a fork,
 *     whose conversation is the one it was forked from
 * @param workspaceRef the first workspace snapshot
 */
public record CreateRunResult(String contextRef, String workspaceRef) {}
