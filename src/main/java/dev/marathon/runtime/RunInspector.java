package dev.marathon.runtime;

import dev.marathon.workflows.MarathonSearchAttributes;
import dev.marathon.workflows.Progress;
import dev.marathon.workflows.RunReport;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.common.SearchAttributes;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Finds out how a run is doing, whatever is up: a finished run answers from its result; a live
 * one from the {@code progress} query; with no worker around (say, right after an outage) it
 * hosts a query-only worker to answer from history.
 */
public final class RunInspector {
  private final Runs runs;

  public RunInspector(Runs runs) {
    this.runs = runs;
  }

  /**
   * @param progress null only if nothing could answer
   * @param report the final report of a completed run, else null
   */
  public record View(String status, WorkflowExecutionDescription description, Progress progress, RunReport report) {
    public boolean running() {
      return description.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
    }

    public long searchAttribute(io.temporal.common.SearchAttributeKey<Long> key) {
      SearchAttributes sa = description.getTypedSearchAttributes();
      Long v = sa == null ? null : sa.get(key);
      return v == null ? 0 : v;
    }

    public String phaseAttribute() {
      SearchAttributes sa = description.getTypedSearchAttributes();
      return sa == null ? null : sa.get(MarathonSearchAttributes.PHASE);
    }
  }

  public View view(String runId) {
    WorkflowExecutionDescription d = runs.describe(runId);
    String status = Runs.statusName(d.getStatus());
    if (d.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
      RunReport report = runs.result(runId);
      return new View(status, d, report.progress(), report);
    }
    return new View(status, d, ask(() -> runs.progress(runId)), null);
  }

  /** Asks a query; if no worker answers soon, hosts a query-only worker and asks again. */
  private <T> T ask(Supplier<T> query) {
    T answer = within(query, Duration.ofSeconds(3));
    if (answer != null) return answer;
    try (WorkerHost ignored = WorkerHost.startWorkflowOnly(runs.client())) {
      return within(query, Duration.ofSeconds(30));
    }
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
