package dev.marathon.workflows.api;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.marathon.workflows.PlanStep;
import dev.marathon.workflows.RunState;
import java.util.ArrayList;
import java.util.List;

/**
 * A tool call the model made, already read by the model activity (through the tool catalog) so
 * that the workflow never sees raw arguments: they can be whole files, and they live once, in the
 * checkpointed assistant message that made the call.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ToolCall.Workspace.class, name = "workspace"),
  @JsonSubTypes.Type(value = ToolCall.UpdatePlan.class, name = ToolCall.UpdatePlan.NAME),
  @JsonSubTypes.Type(value = ToolCall.Finish.class, name = ToolCall.Finish.NAME),
  @JsonSubTypes.Type(value = ToolCall.Rejected.class, name = "rejected"),
  @JsonSubTypes.Type(value = ToolCall.SpawnAgents.class, name = "spawn_agents"),
  @JsonSubTypes.Type(value = ToolCall.WaitAgents.class, name = "wait_agents"),
  @JsonSubTypes.Type(value = ToolCall.AgentStatus.class, name = "agent_status")
})
public sealed interface ToolCall {

  /** The opaque id the model gave the call; its result must carry it back. */
  String id();

  /** The tool's name as the model called it. */
  String tool();

  /**
   * What the call asks for, without its id (ids differ every turn even when the call does not):
   * the stuck detector compares turns by it.
   */
  default String what() {
    return "";
  }

  /**
   * A call the workflow performs itself, without an activity: it changes the run's state and
   * says what the model is told. Such a tool is this one type (its name, its arguments as the
   * model activity read them, what it does), its reader in activities/tools and a catalog line.
   */
  sealed interface Handled extends ToolCall {
    Observation handle(RunState run);
  }

  /**
   * A call that runs in the workspace (bash, read_file, write_file, edit_file, list_files, grep).
   * The tool activity reads its arguments from the assistant message at the run's context ref.
   *
   * @param argumentsHash SHA-256 of the arguments text: equal hashes mean identical calls, which
   *     the stuck detector relies on (calls made before commit cc3df7c of 2026-11-30 stored the
   *     arguments under this hash and called it {@code argumentsRef}, as the recorded histories do)
   * @param display a short human line, e.g. {@code bash: mvn -q test}
   * @param path the workspace path the call touches, or null when it cannot be told (bash)
   * @param timeoutSeconds what the model asked for (bash only), 0 when it did not ask
   */
  record Workspace(
      String id,
      String tool,
      @JsonAlias("argumentsRef") String argumentsHash,
      String display,
      String path,
      int timeoutSeconds)
      implements ToolCall {
    @Override
    public String what() {
      return argumentsHash;
    }
  }

  /** {@code update_plan}: the agent's plan, which the run shows (Web UI, status) and compaction keeps. */
  record UpdatePlan(String id, List<PlanStep> steps) implements Handled {
    public static final String NAME = "update_plan";

    @Override
    public String tool() {
      return NAME;
    }

    @Override
    public String what() {
      return steps.toString();
    }

    @Override
    public Observation handle(RunState run) {
      run.plan = new ArrayList<>(steps);
      run.recordAction(NAME + ": " + steps.size() + " steps");
      return Observation.inline(id, NAME, "Plan updated (" + steps.size() + " steps).");
    }
  }

  /** {@code finish}: ends the run successfully with the agent's summary. */
  record Finish(String id, String summary) implements Handled {
    public static final String NAME = "finish";

    @Override
    public String tool() {
      return NAME;
    }

    @Override
    public Observation handle(RunState run) {
      run.lifecycle = run.lifecycle.finishedByAgent();
      run.summary = summary;
      run.recordAction(NAME);
      return Observation.inline(id, NAME, "Run finished.");
    }
  }

  /**
   * {@code spawn_agents}: a coordinator starts sub-agents. Only their titles come here; each task
   * is read by the sub-agent's first activity from the spawn call's arguments in the checkpoint.
   */
  record SpawnAgents(String id, List<String> titles) implements ToolCall {
    @Override
    public String tool() {
      return "spawn_agents";
    }
  }

  /** {@code wait_agents}: waits for the named sub-agents (empty: every one not yet collected) and merges their work. */
  record WaitAgents(String id, List<String> ids) implements ToolCall {
    @Override
    public String tool() {
      return "wait_agents";
    }
  }

  /** {@code agent_status}: every sub-agent's state, without waiting. */
  record AgentStatus(String id) implements ToolCall {
    @Override
    public String tool() {
      return "agent_status";
    }
  }

  /** An unknown tool or unusable arguments: the error goes back to the model as the result. */
  record Rejected(String id, String tool, String error) implements ToolCall {
    @Override
    public String what() {
      return error;
    }
  }
}
