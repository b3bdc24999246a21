package dev.marathon.workflows.api;

import java.util.List;

/**
 * Collect ended sub-agents into the coordinator's workspace at {@code workspaceRef}.
 *
 * @param callId the {@code wait_agents} call whose result is being made
 * @param atEpochSeconds the merge commits' date (workflow time, so a retry makes the same commits)
 */
public record CollectInput(WorkspaceKey coordinator, String workspaceRef, String callId, long atEpochSeconds,
    List<Collectible> agents) {

  /**
   * @param head the commit its work ended at; null when it has none to merge (it failed early)
   * @param reportRef its report in the store, or null
   */
  public record Collectible(String id, String title, String outcome, String reason, String head, String branch,
      String reportRef, String summary) {}
}
