package dev.marathon.workflows.api;

/**
 * @param head the branch's commit after committing
 * @param committed whether a new commit was needed
 */
public record CommitResult(String head, boolean committed) {}
