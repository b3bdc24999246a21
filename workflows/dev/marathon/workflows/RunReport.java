package dev.marathon.workflows;

/**
 * How a run ended: the workflow's result.
 *
 * @param head the commit the run's branch ends at
 */
public record RunReport(RunOutcome outcome, String summary, String branch, String head, Progress progress) {}
