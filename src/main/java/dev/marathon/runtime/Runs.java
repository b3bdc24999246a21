package dev.marathon.runtime;

import dev.marathon.workflows.AgentWorkflow;
import dev.marathon.workflows.MarathonSearchAttributes;
import dev.marathon.workflows.Phase;
import dev.marathon.workflows.Progress;
import dev.marathon.workflows.RunReport;
import dev.marathon.workflows.RunState;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import java.util.Locale;

/** Client-side operations on runs: start one, find it, ask how it is doing. */
public final class Runs {
  private final WorkflowClient client;

  public Runs(WorkflowClient client) {
    this.client = client;
  }

  /**
   * Starts a run. The workflow id is the run id; a closed run's id may be reused (that is how a
   * run is resumed from its checkpoint), a running one's may not.
   */
  public void start(RunState state) {
    WorkflowOptions options = WorkflowOptions.newBuilder()
        .setWorkflowId(state.spec.runId())
        .setTaskQueue(WorkerHost.TASK_QUEUE)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
        .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL)
        .setStaticSummary(RunDescription.summary(state.spec))
        .setStaticDetails(RunDescription.details(state))
        .setMemo(java.util.Map.of(MarathonSearchAttributes.TITLE_MEMO, state.spec.title()))
        .setTypedSearchAttributes(SearchAttributes.newBuilder()
            .set(MarathonSearchAttributes.REPO, state.spec.repo())
            .set(MarathonSearchAttributes.MODEL, state.spec.model().model())
            .set(MarathonSearchAttributes.PHASE, Phase.STARTING.label())
            .build())
        .build();
    WorkflowClient.start(client.newWorkflowStub(AgentWorkflow.class, options)::run, state);
  }

  /** {@code value} as a string literal of a visibility query: backslashes and quotes escaped. */
  public static String quoted(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** The run's latest execution (after continue-as-new, the newest run of the chain). */
  public WorkflowStub stub(String runId) {
    return client.newUntypedWorkflowStub(runId);
  }

  public AgentWorkflow typed(String runId) {
    return client.newWorkflowStub(AgentWorkflow.class, runId);
  }

  public WorkflowExecutionDescription describe(String runId) {
    return stub(runId).describe();
  }

  public Progress progress(String runId) {
    return stub(runId).query("progress", Progress.class);
  }

  public RunReport result(String runId) {
    return stub(runId).getResult(RunReport.class);
  }

  public WorkflowClient client() {
    return client;
  }

  /** {@code running}, {@code completed}, {@code failed}, ... */
  public static String statusName(WorkflowExecutionStatus status) {
    return status.name().replace("WORKFLOW_EXECUTION_STATUS_", "").toLowerCase(Locale.ROOT);
  }
}
