package dev.marathon.workflows;

/**
 * A coordinator run's swarm settings: it may spawn sub-agents, each a child run of the ordinary
 * agent loop on its own branch.
 *
 * @param maxAgents how many sub-agents it may spawn in all (a spawn beyond it is a tool error)
 * @param parallel how many may run at once; the rest wait in a queue
 */
public record Swarm(int maxAgents, int parallel) {
  public static final int MAX_AGENTS = 300;
}
