package dev.marathon.workflows.api;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/** What a coordinator needs from the world besides the model and its workspace: its sub-agents' state, and their work. */
@ActivityInterface
public interface SwarmActivities {

  /**
   * How the named sub-agents are doing, from the server (their search attributes; the result of
   * those that closed). Read-only.
   */
  @ActivityMethod
  List<AgentSighting> survey(List<String> ids);

  /**
   * Merges each ended sub-agent's branch into the coordinator's workspace (one merge commit each;
   * conflicts are committed with their markers, and listed), and stores what {@code wait_agents}
   * returns to the model. Restores the workspace to {@code workspaceRef} first, and merges with
   * fixed dates: a retry makes the very same commits.
   */
  @ActivityMethod
  CollectResult collect(CollectInput input);
}
