package dev.marathon.workflows.api;

/**
 * @param contextRef the first conversation checkpoint (system prompt + task)
 * @param workspaceRef the first workspace snapshot
 * @param baseCommit the repository commit the branch starts from
 */
public record BeginResult(String contextRef, String workspaceRef, String baseCommit) {}
