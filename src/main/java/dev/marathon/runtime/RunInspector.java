package dev.marathon.runtime;

import dev.marathon.workflows.MarathonSearchAttributes;
import dev.marathon.workflows.Progress;
import dev.marathon.workflows.RunReport;
import dev.marathon.workflows.RunState;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.common.SearchAttributes;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The one way the CLI reads a run ({@code status}, {@code watch}, and the follower of {@code run}
 * and {@code resume}): a completed run answers from its result, a live or closed one from the
 * {@code progress} query, and with no worker around {@link #view} can host a query-only worker.
 */
public final class RunInspector {
  private final Runs runs;

  public RunInspector(Runs runs) {
    this.runs = runs;
  }

  /**
   * A run as the CLI shows it, read over gRPC here or over the HTTP API ({@link HttpRunView}).
   *
   * @param liveOutput what the model is writing right now: the heartbeat detail of the pending
   *     model call ("turn 12: …last 400 characters"), or null. Heartbeats are not history events,
   *     so this costs the run nothing; the Web UI shows the same text under the pending activity.
   * @param progress null when no worker answered
   * @param report the final report of a completed run, else null
   */
  public record View(String workflowId, String runId, WorkflowExecutionStatus executionStatus, long historyLength,
      Attributes attributes, String liveOutput, Progress progress, RunReport report) {
    public boolean running() {
      return executionStatus == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
    }

    /** {@code running}, {@code completed}, ... */
    public String status() {
      return Runs.statusName(executionStatus);
    }

    View with(Progress p, RunReport r) {
      return new View(workflowId, runId, executionStatus, historyLength, attributes, liveOutput, p, r);
    }
  }

  /** What the run's search attributes say: all there is to show when no worker answers. */
  public record Attributes(String phase, long turns, long toolCalls, long tokens) {}

  /** The parts of a description a {@link View} shows. */
  static View of(WorkflowExecutionDescription d) {
    SearchAttributes sa = d.getTypedSearchAttributes();
    Attributes attributes = new Attributes(sa == null ? null : sa.get(MarathonSearchAttributes.PHASE), orZero(sa, MarathonSearchAttributes.TURNS),
        orZero(sa, MarathonSearchAttributes.TOOL_CALLS), orZero(sa, MarathonSearchAttributes.TOKENS));
    return new View(d.getExecution().getWorkflowId(), d.getExecution().getRunId(), d.getStatus(), d.getHistoryLength(), attributes,
        liveOutput(d), null, null);
  }

  private static long orZero(SearchAttributes sa, io.temporal.common.SearchAttributeKey<Long> key) {
    Long v = sa == null ? null : sa.get(key);
    return v == null ? 0 : v;
  }

  private static String liveOutput(WorkflowExecutionDescription d) {
    for (PendingActivityInfo a : d.getRawDescription().getPendingActivitiesList()) {
      if (!a.getActivityType().getName().equals(LIVE_ACTIVITY) || !a.hasHeartbeatDetails()) continue;
      try {
        return DataConverters.marathon().fromPayloads(0, Optional.of(a.getHeartbeatDetails()), String.class, String.class);
      } catch (RuntimeException notText) {
        return null;
      }
    }
    return null;
  }

  /** The activity whose heartbeats carry the model's output as it streams. */
  static final String LIVE_ACTIVITY = "Think";

  /** How the run is doing now, without waiting: a running run that no worker answers for has no progress. */
  public View now(String runId) {
    return read(runId, Duration.ofSeconds(2), false);
  }

  /** How the run is doing; with no worker answering, hosts a query-only worker (for status after an outage). */
  public View view(String runId) {
    return read(runId, Duration.ofSeconds(3), true);
  }

  private View read(String runId, Duration wait, boolean hostIfNeeded) {
    View described = of(runs.describe(runId));
    if (described.executionStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
      RunReport report = runs.result(runId);
      return described.with(report.progress(), report);
    }
    // With no worker polling, a query can only time out: skip the wait and host one at once.
    Progress p = hostIfNeeded && !workerPolling() ? null : within(() -> runs.progress(runId), wait);
    if (p == null && hostIfNeeded) {
      try (WorkerHost ignored = WorkerHost.startWorkflowOnly(runs.client())) {
        p = within(() -> runs.progress(runId), Duration.ofSeconds(30));
      }
    }
    return described.with(p, null);
  }

  /**
   * Whether a worker has polled Marathon's task queue lately. A long poll lasts a minute, so a live
   * worker has polled within the last 70 seconds; one killed a moment ago still looks alive here,
   * and the query then waits its few seconds as before.
   */
  public boolean workerPolling() {
    try {
      var response = runs.client().getWorkflowServiceStubs().blockingStub().describeTaskQueue(
          io.temporal.api.workflowservice.v1.DescribeTaskQueueRequest.newBuilder()
              .setNamespace(runs.client().getOptions().getNamespace())
              .setTaskQueue(io.temporal.api.taskqueue.v1.TaskQueue.newBuilder().setName(WorkerHost.TASK_QUEUE))
              .setTaskQueueType(io.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW)
              .build());
      long now = System.currentTimeMillis() / 1000;
      return response.getPollersList().stream().anyMatch(poller -> livePoller(now - poller.getLastAccessTime().getSeconds(), poller.getIdentity()));
    } catch (RuntimeException unknown) {
      return true; // ask the run, as before
    }
  }

  /** A poller seen {@code secondsAgo} that can answer for a run: a worker's, not a query-only host's. */
  static boolean livePoller(long secondsAgo, String identity) {
    return secondsAgo < 70 && !identity.startsWith(WorkerHost.QUERY_ONLY_IDENTITY);
  }

  /**
   * The run's carried state (the {@code state} query), live or closed; with no worker answering,
   * a query-only worker replays it. Null when nothing can answer (a run terminated mid-task).
   */
  public RunState state(String runId) {
    // An unknown run fails here, with the server's message. An ended run's result holds its state:
    // no worker has to replay its history (seconds for a long run) to answer a query.
    if (runs.describe(runId).getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
      RunReport report = runs.result(runId);
      if (report != null && report.state() != null) return report.state().migrated();
    }
    Supplier<RunState> query = () -> runs.stub(runId).query("state", RunState.class);
    RunState s = workerPolling() ? within(query, Duration.ofSeconds(3)) : null;
    if (s == null) {
      try (WorkerHost ignored = WorkerHost.startWorkflowOnly(runs.client())) {
        s = within(query, Duration.ofSeconds(60));
      }
    }
    return s;
  }

  private static <T> T within(Supplier<T> query, Duration timeout) {
    CompletableFuture<T> f = CompletableFuture.supplyAsync(query);
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception noAnswer) {
      f.cancel(true);
      return null;
    }
  }
}
