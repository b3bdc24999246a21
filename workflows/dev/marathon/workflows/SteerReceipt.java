package dev.marathon.workflows;

/**
 * Acknowledges an operator's steering message.
 *
 * @param turn the model turn that will see it
 */
public record SteerReceipt(int turn, String runId) {}
