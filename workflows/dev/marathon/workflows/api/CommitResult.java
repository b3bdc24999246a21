package dev.marathon.workflows.api;

/**
 * @param head the branch's commit after committing
 * @param reportRef where the report given in the input was stored, or null
 */
public record CommitResult(String head, String reportRef) {}
