package dev.marathon.activities.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.marathon.activities.Json;
import dev.marathon.activities.store.Message;
import dev.marathon.workflows.api.ToolCall;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one list of tools the model is offered. A chat request's {@code tools} array is made from
 * it, and every call the model makes is read through it.
 */
public final class ToolCatalog {
  private final Map<String, Tool> tools = new LinkedHashMap<>();

  public ToolCatalog() {
    this(List.of(
        new BashTool(),
        new ReadFileTool(),
        new WriteFileTool(),
        new EditFileTool(),
        new ListFilesTool(),
        new GrepTool(),
        new UpdatePlanTool(),
        new FinishTool()));
  }

  /** This catalog and the coordinator's tools: what a swarm's coordinator is offered. */
  public ToolCatalog withSwarmTools() {
    List<Tool> all = new ArrayList<>(tools.values());
    all.addAll(List.of(new SpawnAgentsTool(), new WaitAgentsTool(), new AgentStatusTool()));
    return new ToolCatalog(all);
  }

  /** This catalog and {@code more} (a run's MCP tools), after its own. */
  public ToolCatalog with(List<Tool> more) {
    List<Tool> all = new ArrayList<>(tools.values());
    all.addAll(more);
    return new ToolCatalog(all);
  }

  public ToolCatalog(List<Tool> tools) {
    for (Tool t : tools) {
      if (this.tools.put(t.spec().name(), t) != null) throw new IllegalArgumentException("two tools named " + t.spec().name());
    }
  }

  /** The {@code tools} array of a chat request. */
  public JsonNode schemas() {
    ArrayNode array = Json.MAPPER.createArrayNode();
    for (Tool t : tools.values()) array.add(t.spec().toWire());
    return array;
  }

  public List<Tool> tools() {
    return List.copyOf(tools.values());
  }

  public Optional<WorkspaceTool<?>> workspaceTool(String name) {
    return tools.get(name) instanceof WorkspaceTool<?> w ? Optional.of(w) : Optional.empty();
  }

  /**
   * Reads the model's calls into what the workflow acts on. Anything unusable (unknown tool, bad
   * arguments) becomes a {@link ToolCall.Rejected} whose error the model reads on its next turn.
   */
  public List<ToolCall> read(List<Message.Call> calls) {
    return read(calls, 0);
  }

  /**
   * @param cutAtTokens when the reply was cut at the output limit (finish_reason {@code length}),
   *     that limit: a call whose arguments do not parse is then refused with what to do instead
   */
  public List<ToolCall> read(List<Message.Call> calls, int cutAtTokens) {
    List<ToolCall> out = new ArrayList<>(calls.size());
    for (Message.Call c : calls) {
      ToolCall call = read(c);
      if (cutAtTokens > 0 && call instanceof ToolCall.Rejected r && r.error().contains("not valid JSON")) {
        call = new ToolCall.Rejected(c.id(), c.name(), "Error: your reply was cut off at the output limit (" + cutAtTokens
            + " tokens) in the middle of this call, so it did not run. Make smaller calls: write a big file in parts"
            + " (write_file, then edit_file or bash to append).");
      }
      out.add(call);
    }
    return out;
  }

  ToolCall read(Message.Call c) {
    Tool tool = tools.get(c.name());
    if (tool == null) {
      return new ToolCall.Rejected(c.id(), c.name(),
          "Error: unknown tool '" + c.name() + "'. Available tools: " + String.join(", ", tools.keySet()) + ".");
    }
    try {
      return tool.call(c.id(), Arguments.parse(c.name(), c.arguments()));
    } catch (ToolException e) {
      return new ToolCall.Rejected(c.id(), c.name(), "Error: " + e.getMessage());
    }
  }

  /**
   * The workspace path a call wrote, or null: for the list of files touched that compaction pins.
   * Calls that cannot be read touched nothing.
   */
  public String pathWritten(Message.Call c) {
    Optional<WorkspaceTool<?>> tool = workspaceTool(c.name());
    if (tool.isEmpty() || tool.get().spec().readOnly()) return null;
    try {
      ToolCall call = tool.get().call(c.id(), Arguments.parse(c.name(), c.arguments()));
      return call instanceof ToolCall.Workspace w ? w.path() : null;
    } catch (ToolException unreadable) {
      return null;
    }
  }

  /** Names of every tool, in the order the model is offered them. */
  public List<String> names() {
    return List.copyOf(tools.keySet());
  }
}
