package dev.marathon.activities.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.workflows.PlanStep;
import dev.marathon.workflows.StepStatus;
import dev.marathon.workflows.Text;
import dev.marathon.workflows.api.ToolCall;
import java.util.ArrayList;
import java.util.List;

/** {@code update_plan {steps: [{step, status}]}}: the agent's plan, kept by the workflow and shown to operators. */
public final class UpdatePlanTool implements Tool {
  static final int MAX_STEPS = 100;
  static final int MAX_STEP_CHARS = 500;

  @Override
  public ToolSpec spec() {
    return new ToolSpec(ToolCall.UpdatePlan.NAME,
        "Record your plan: the full list of steps with their status. Call it at the start and whenever a step starts"
            + " or completes; operators watch it.",
        Schema.object().required("steps", Schema.array(Schema.object()
            .required("step", Schema.string("What the step does."))
            .required("status", Schema.oneOf("pending", "in_progress", "completed")), null)),
        true);
  }

  @Override
  public ToolCall call(String id, Arguments args) {
    JsonNode steps = args.node().get("steps");
    if (steps == null || !steps.isArray()) throw new ToolException("update_plan: 'steps' must be an array of {step, status}");
    if (steps.size() > MAX_STEPS) throw new ToolException("update_plan: at most " + MAX_STEPS + " steps");
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
    return new ToolCall.UpdatePlan(id, plan);
  }
}
