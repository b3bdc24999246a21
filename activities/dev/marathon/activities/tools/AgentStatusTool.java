package dev.marathon.activities.tools;

import dev.marathon.workflows.api.ToolCall;

/** {@code agent_status {}}: every sub-agent's state, turn and last step, without waiting. */
public final class AgentStatusTool implements Tool {
  @Override
  public ToolSpec spec() {
    return new ToolSpec("agent_status",
        "List every sub-agent: state (queued, running, paused, ended), turn, last step, cost. Does not wait.",
        Schema.object(), true);
  }

  @Override
  public ToolCall call(String id, Arguments args) {
    return new ToolCall.AgentStatus(id);
  }
}
