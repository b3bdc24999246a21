package dev.marathon.activities.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.workflows.api.ToolCall;
import java.util.ArrayList;
import java.util.List;

/** {@code wait_agents {ids?}}: blocks until the sub-agents end (or pause for an operator), then merges their work. */
public final class WaitAgentsTool implements Tool {
  @Override
  public ToolSpec spec() {
    return new ToolSpec("wait_agents",
        "Wait until the named sub-agents (default: every one not collected yet) have ended, then merge each finished"
            + " one's branch into your workspace (one merge commit each) and return each one's outcome, report and"
            + " branch. A merge conflict is committed with its conflict markers and the files are listed: resolve them"
            + " in your next steps. A sub-agent that failed or paused is reported with why: spawn a new one with better"
            + " instructions if the part still needs doing.",
        Schema.object().optional("ids", Schema.array(Schema.string("A sub-agent id from spawn_agents."), "Which to wait for.")),
        true);
  }

  @Override
  public ToolCall call(String id, Arguments args) {
    List<String> ids = new ArrayList<>();
    JsonNode node = args.node().get("ids");
    if (node != null && !node.isNull()) {
      if (!node.isArray()) throw new ToolException("wait_agents: 'ids' must be an array of sub-agent ids");
      for (JsonNode n : node) ids.add(n.asText());
    }
    return new ToolCall.WaitAgents(id, ids);
  }
}
