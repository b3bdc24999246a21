package dev.marathon.activities.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.workflows.Text;
import dev.marathon.workflows.api.ToolCall;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code spawn_agents {agents: [{title, task}]}}: a coordinator starts sub-agents. Only the titles
 * go to the workflow; each sub-agent reads its task from these arguments in the checkpoint.
 */
public final class SpawnAgentsTool implements Tool {
  static final int MAX_TITLE_CHARS = 100;
  static final int MAX_TASK_CHARS = 32_000;

  @Override
  public ToolSpec spec() {
    return new ToolSpec("spawn_agents",
        "Start sub-agents, each an agent like you with its own branch, forked from your workspace as it is now. Give"
            + " each an independent part of the work: a short title and a complete task (what to change, where, how to"
            + " check it, what not to touch). Returns their ids at once; they run in parallel (beyond the swarm's limit"
            + " they queue). Then call wait_agents to collect their work.",
        Schema.object().required("agents", Schema.array(Schema.object()
            .required("title", Schema.string("A few words naming the part, e.g. 'Port module A to JUnit 5'."))
            .required("task", Schema.string("The whole task for this sub-agent: it sees nothing else.")), null)),
        true);
  }

  @Override
  public ToolCall call(String id, Arguments args) {
    JsonNode agents = args.node().get("agents");
    if (agents == null || !agents.isArray() || agents.isEmpty()) {
      throw new ToolException("spawn_agents: 'agents' must be a non-empty array of {title, task}");
    }
    List<String> titles = new ArrayList<>();
    for (JsonNode a : agents) {
      String title = a.path("title").asText("").strip();
      String task = a.path("task").asText("").strip();
      if (title.isEmpty() || task.isEmpty()) {
        throw new ToolException("spawn_agents: agent " + (titles.size() + 1) + " needs a non-empty 'title' and 'task'");
      }
      if (task.length() > MAX_TASK_CHARS) {
        throw new ToolException("spawn_agents: the task of '" + Text.oneLine(title, 60) + "' is over " + MAX_TASK_CHARS
            + " characters; put long material in a file in the workspace and point to it");
      }
      titles.add(Text.oneLine(title, MAX_TITLE_CHARS));
    }
    return new ToolCall.SpawnAgents(id, titles);
  }

  /** Entry {@code index}'s task in a call's arguments (for the sub-agent's first checkpoint). */
  public static String task(String arguments, int index) {
    JsonNode agent = Arguments.parse("spawn_agents", arguments).node().path("agents").path(index);
    if (!agent.hasNonNull("task")) throw new ToolException("spawn_agents: no agent " + index + " in the call");
    return agent.get("task").asText();
  }
}
