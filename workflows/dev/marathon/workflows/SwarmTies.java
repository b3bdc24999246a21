package dev.marathon.workflows;

import java.util.ArrayList;
import java.util.List;

/**
 * A run's ties in a swarm, a part of {@link RunState}: a coordinator's sub-agents, and what each
 * side has told the other. Empty for a run outside any swarm.
 */
public final class SwarmTies {
  /** A coordinator's sub-agents, in the order they were spawned. */
  public List<SubAgent> agents = new ArrayList<>();
  /** The coordinator paused its running sub-agents because the swarm's budget was reached. */
  public boolean agentsPausedForBudget;
  /** A sub-agent told its coordinator that it paused (and owes it an "unpaused"). */
  public boolean coordinatorToldPaused;
}
