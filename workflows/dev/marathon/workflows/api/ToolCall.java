package dev.marathon.workflows.api;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.marathon.workflows.PlanStep;
import java.util.List;

/**
 * A tool call the model made, already parsed by the model activity so that the workflow never
 * sees raw arguments (they can be whole files: they live in the checkpoint store).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ToolCall.Workspace.class, name = "workspace"),
  @JsonSubTypes.Type(value = ToolCall.UpdatePlan.class, name = "update_plan"),
  @JsonSubTypes.Type(value = ToolCall.Finish.class, name = "finish"),
  @JsonSubTypes.Type(value = ToolCall.Rejected.class, name = "rejected")
})
public sealed interface ToolCall {

  /** The opaque id the model gave the call; its result must carry it back. */
  String id();

  /** The tool's name as the model called it. */
  String tool();

  /**
   * A call that runs in the workspace (bash, read_file, write_file, edit_file, list_files, grep).
   *
   * @param argumentsRef content hash of the arguments JSON in the checkpoint store; equal refs
   *     mean identical calls, which the stuck detector relies on
   * @param display a short human line, e.g. {@code bash: mvn -q test}
   * @param readOnly true when the tool cannot change the workspace (no snapshot needed)
   * @param timeoutSeconds what the model asked for (bash only), 0 when it did not ask
   */
  record Workspace(
      String id,
      String tool,
      String argumentsRef,
      String display,
      boolean readOnly,
      int timeoutSeconds)
      implements ToolCall {}

  /** {@code update_plan}: handled in the workflow. */
  record UpdatePlan(String id, List<PlanStep> steps) implements ToolCall {
    @Override
    public String tool() {
      return "update_plan";
    }
  }

  /** {@code finish}: ends the run successfully with the agent's summary. */
  record Finish(String id, String summary) implements ToolCall {
    @Override
    public String tool() {
      return "finish";
    }
  }

  /** An unknown tool or unusable arguments: the error goes back to the model as the result. */
  record Rejected(String id, String tool, String error) implements ToolCall {}
}
