package dev.marathon.workflows;

/**
 * Limits an operator sets on a run; null means no limit. Reaching one pauses the run durably
 * (it waits, costing nothing) until an operator raises it or tells the run to finish.
 */
public record Budget(Integer maxTurns, Double maxHours, Long maxTokens, Double maxCostUsd) {

  public static final Budget UNLIMITED = new Budget(null, null, null, null);

  /** This budget with the non-null fields of {@code change} in place of its own (raised or lowered). */
  public Budget changedBy(Budget change) {
    return new Budget(
        change.maxTurns != null ? change.maxTurns : maxTurns,
        change.maxHours != null ? change.maxHours : maxHours,
        change.maxTokens != null ? change.maxTokens : maxTokens,
        change.maxCostUsd != null ? change.maxCostUsd : maxCostUsd);
  }
}
