package dev.marathon.workflows;

/**
 * Limits an operator sets on a run; null means no limit. Reaching one pauses the run durably
 * (it waits, costing nothing) until an operator raises it or tells the run to finish — or, with
 * {@code finishAtLimit}, asks the agent to wrap up and ends the run (the local model's default).
 */
public record Budget(Integer maxTurns, Double maxHours, Long maxTokens, Double maxCostUsd, Boolean finishAtLimit) {

  public static final Budget UNLIMITED = new Budget(null, null, null, null);

  /** A budget that pauses the run at its limit. */
  public Budget(Integer maxTurns, Double maxHours, Long maxTokens, Double maxCostUsd) {
    this(maxTurns, maxHours, maxTokens, maxCostUsd, null);
  }

  /** Whether a reached limit ends the run (after a wrap-up) rather than pausing it. */
  public boolean endsAtLimit() {
    return finishAtLimit != null && finishAtLimit;
  }

  /** This budget with the non-null fields of {@code change} in place of its own (raised or lowered). */
  public Budget changedBy(Budget change) {
    return new Budget(
        change.maxTurns != null ? change.maxTurns : maxTurns,
        change.maxHours != null ? change.maxHours : maxHours,
        change.maxTokens != null ? change.maxTokens : maxTokens,
        change.maxCostUsd != null ? change.maxCostUsd : maxCostUsd,
        change.finishAtLimit != null ? change.finishAtLimit : finishAtLimit);
  }
}
