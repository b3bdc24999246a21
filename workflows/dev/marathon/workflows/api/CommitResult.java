package dev.marathon.workflows.api;

/** @param head the branch's commit after committing */
public record CommitResult(String head) {}
