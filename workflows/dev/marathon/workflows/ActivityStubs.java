package dev.marathon.workflows;

import dev.marathon.workflows.api.ModelActivities;
import dev.marathon.workflows.api.ModelFailures;
import dev.marathon.workflows.api.NotifyActivities;
import dev.marathon.workflows.api.SwarmActivities;
import dev.marathon.workflows.api.ToolActivities;
import dev.marathon.workflows.api.WorkspaceActivities;
import dev.marathon.workflows.api.WorkspaceFailures;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/**
 * Activity options, in one place so the timeouts can be read side by side. Every stub gets a
 * summary a human understands on the Web UI timeline ({@code model: turn 42 (glm-5.1)}).
 */
final class ActivityStubs {
  /** Temporal caps summaries at 200 bytes. */
  private static final int SUMMARY_BYTES = 200;

  /**
   * Git and filesystem hiccups are retried for a few minutes; a vanished repository, a missing
   * sandbox or a corrupt store object is not (the run pauses for an operator instead).
   */
  private static final RetryOptions WORKSPACE_RETRIES = RetryOptions.newBuilder()
      .setInitialInterval(Duration.ofSeconds(1))
      .setMaximumInterval(Duration.ofSeconds(30))
      .setMaximumAttempts(8)
      .setDoNotRetry(WorkspaceFailures.GONE, WorkspaceFailures.SANDBOX_UNAVAILABLE, WorkspaceFailures.STORE_CORRUPT)
      .build();

  private final RunOptions options;

  ActivityStubs(RunOptions options) {
    this.options = options;
  }

  /**
   * Model calls can think for minutes, so the start-to-close timeout is long; the heartbeat
   * timeout is short, so a dead worker is noticed in seconds. Transient errors are retried with
   * backoff (the activity honours Retry-After); what a retry cannot fix is not retried.
   */
  ModelActivities model(String summary) {
    return Workflow.newActivityStub(
        ModelActivities.class,
        ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(20))
            .setHeartbeatTimeout(heartbeat())
            .setCancellationType(ActivityCancellationType.TRY_CANCEL)
            .setSummary(Text.oneLineBytes(summary, SUMMARY_BYTES))
            .setRetryOptions(
                RetryOptions.newBuilder()
                    .setInitialInterval(Duration.ofSeconds(2))
                    .setBackoffCoefficient(2.0)
                    .setMaximumInterval(Duration.ofMinutes(2))
                    .setMaximumAttempts(15)
                    .setDoNotRetry(
                        ModelFailures.CONTEXT_OVERFLOW,
                        ModelFailures.AUTH,
                        ModelFailures.QUOTA,
                        ModelFailures.BAD_REQUEST,
                        WorkspaceFailures.STORE_CORRUPT)
                    .build())
            .build());
  }

  /**
   * A tool runs at most as long as its command may, plus room to restore and snapshot. The
   * workflow waits for a cancelled tool to stop, so the next step never races a dying one.
   */
  ToolActivities tools(String summary, int commandSeconds) {
    return Workflow.newActivityStub(
        ToolActivities.class,
        ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofSeconds(commandSeconds + 300L))
            .setHeartbeatTimeout(heartbeat())
            .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
            .setSummary(Text.oneLineBytes(summary, SUMMARY_BYTES))
            .setRetryOptions(WORKSPACE_RETRIES)
            .build());
  }

  WorkspaceActivities workspace(String summary) {
    return Workflow.newActivityStub(
        WorkspaceActivities.class,
        ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(10))
            .setHeartbeatTimeout(Duration.ofSeconds(Math.max(options.heartbeatSeconds(), 30)))
            .setSummary(Text.oneLineBytes(summary, SUMMARY_BYTES))
            .setRetryOptions(WORKSPACE_RETRIES)
            .build());
  }

  /** The swarm's merges run in the coordinator's workspace like a tool; surveys only read. */
  SwarmActivities swarm(String summary) {
    return Workflow.newActivityStub(
        SwarmActivities.class,
        ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(30))
            .setHeartbeatTimeout(Duration.ofSeconds(Math.max(options.heartbeatSeconds(), 30)))
            .setSummary(Text.oneLineBytes(summary, SUMMARY_BYTES))
            .setRetryOptions(WORKSPACE_RETRIES)
            .build());
  }

  /** How long an event's delivery is tried, from the event on (across continue-as-new too). */
  static final Duration NOTIFY_WINDOW = Duration.ofMinutes(30);

  /**
   * A notification is retried while its endpoint is down — every few seconds at first, then every
   * minute, for half an hour — but not when the worker refuses the endpoint (see NotifyEndpoints).
   *
   * @param within what is left of the event's {@link #NOTIFY_WINDOW}
   */
  NotifyActivities notify(String summary, Duration within) {
    return Workflow.newActivityStub(
        NotifyActivities.class,
        ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofSeconds(60))
            .setScheduleToCloseTimeout(within)
            .setSummary(Text.oneLineBytes(summary, SUMMARY_BYTES))
            .setRetryOptions(RetryOptions.newBuilder()
                .setInitialInterval(Duration.ofSeconds(2))
                .setBackoffCoefficient(2.0)
                .setMaximumInterval(Duration.ofMinutes(1))
                .setDoNotRetry(NotifyActivities.REFUSED)
                .build())
            .build());
  }

  private Duration heartbeat() {
    return Duration.ofSeconds(options.heartbeatSeconds());
  }
}
