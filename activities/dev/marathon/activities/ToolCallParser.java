package dev.marathon.activities;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.activities.store.CheckpointStore;
import dev.marathon.activities.store.Message;
import dev.marathon.activities.tools.Arguments;
import dev.marathon.activities.tools.Tool;
import dev.marathon.activities.tools.ToolCatalog;
import dev.marathon.activities.tools.ToolException;
import dev.marathon.workflows.PlanStep;
import dev.marathon.workflows.StepStatus;
import dev.marathon.workflows.Text;
import dev.marathon.workflows.api.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns the model's raw tool calls into the small, typed calls the workflow handles. Arguments
 * are stored in the checkpoint store (they can be whole files) and passed on by ref; anything
 * unusable becomes a {@link ToolCall.Rejected} whose error the model reads next turn.
 */
public final class ToolCallParser {
  static final int MAX_PLAN_STEPS = 100;
  static final int MAX_STEP_CHARS = 500;
  /** The finish summary travels through history to the user; longer reports are cut. */
  static final int MAX_SUMMARY_CHARS = 8_000;

  private final ToolCatalog catalog;
  private final CheckpointStore store;

  public ToolCallParser(ToolCatalog catalog, CheckpointStore store) {
    this.catalog = catalog;
    this.store = store;
  }

  public List<ToolCall> parse(List<Message.Call> calls) {
    List<ToolCall> parsed = new ArrayList<>();
    for (Message.Call call : calls) parsed.add(parse(call));
    return parsed;
  }

  ToolCall parse(Message.Call call) {
    String name = call.name();
    JsonNode args;
    try {
      args = call.arguments() == null || call.arguments().isBlank() ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(call.arguments());
    } catch (Exception e) {
      return new ToolCall.Rejected(call.id(), name,
          "Error: the arguments of " + name + " are not valid JSON (" + Text.oneLine(e.getMessage(), 200) + "). Send a JSON object.");
    }
    if (args == null || !args.isObject()) {
      return new ToolCall.Rejected(call.id(), name, "Error: the arguments of " + name + " must be a JSON object.");
    }
    try {
      if (ToolCatalog.UPDATE_PLAN.equals(name)) return new ToolCall.UpdatePlan(call.id(), planSteps(args));
      if (ToolCatalog.FINISH.equals(name)) {
        String summary = new Arguments(name, args).requiredString("summary");
        return new ToolCall.Finish(call.id(), summary.length() > MAX_SUMMARY_CHARS ? summary.substring(0, MAX_SUMMARY_CHARS) + "…" : summary);
      }
      Optional<Tool> tool = catalog.workspaceTool(name);
      if (tool.isEmpty()) {
        return new ToolCall.Rejected(call.id(), name,
            "Error: unknown tool '" + name + "'. Available tools: " + String.join(", ", catalog.names()) + ".");
      }
      int timeout = "bash".equals(name) ? new Arguments(name, args).optionalInt("timeout_seconds", 0) : 0;
      String argumentsRef = store.putText(call.arguments() == null ? "{}" : call.arguments());
      return new ToolCall.Workspace(call.id(), name, argumentsRef, display(name, args), tool.get().readOnly(), Math.max(0, timeout));
    } catch (ToolException e) {
      return new ToolCall.Rejected(call.id(), name, "Error: " + e.getMessage());
    }
  }

  private static List<PlanStep> planSteps(JsonNode args) {
    JsonNode steps = args.get("steps");
    if (steps == null || !steps.isArray()) throw new ToolException("update_plan: 'steps' must be an array of {step, status}");
    if (steps.size() > MAX_PLAN_STEPS) throw new ToolException("update_plan: at most " + MAX_PLAN_STEPS + " steps");
    List<PlanStep> plan = new ArrayList<>();
    for (JsonNode s : steps) {
      String text = s.path("step").asText("");
      if (text.isBlank()) throw new ToolException("update_plan: every step needs a non-empty 'step'");
      StepStatus status = StepStatus.fromWire(s.path("status").asText(""));
      if (status == null) {
        throw new ToolException("update_plan: status of '" + Text.oneLine(text, 60)
            + "' must be pending, in_progress or completed, not '" + s.path("status").asText("") + "'");
      }
      plan.add(new PlanStep(text.length() > MAX_STEP_CHARS ? text.substring(0, MAX_STEP_CHARS) + "…" : text, status));
    }
    return plan;
  }

  /** A short human line for the Web UI timeline: {@code bash: mvn -q test}, {@code edit_file: src/Foo.java}. */
  static String display(String tool, JsonNode args) {
    String detail = switch (tool) {
      case "bash" -> args.path("command").asText("");
      case "grep" -> args.path("pattern").asText("") + (args.hasNonNull("path") ? " in " + args.get("path").asText() : "");
      case "list_files" -> args.path("path").asText(".") + (args.hasNonNull("pattern") ? " " + args.get("pattern").asText() : "");
      default -> args.path("path").asText("");
    };
    return Text.oneLine(tool + ": " + detail, 180);
  }
}
