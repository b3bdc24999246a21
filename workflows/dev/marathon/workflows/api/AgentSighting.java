package dev.marathon.workflows.api;

import dev.marathon.workflows.AgentNews;

/**
 * One sub-agent as the server sees it.
 *
 * @param closed when its execution closed: how it ended (from its result, or Temporal's status
 *     for one that failed or was terminated); null while it runs
 */
public record AgentSighting(String id, boolean found, String phase, int turns, int toolCalls, long tokens, double costUsd,
    AgentNews closed) {}
