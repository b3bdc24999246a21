package dev.marathon.workflows.api;

/**
 * One event of a run, for one target: what the workflow knows when it happens. The worker adds the
 * Web UI link (its own configuration, not the run's input) and shapes it for the target's format.
 *
 * @param target the URL or endpoint name (see {@code NotifyTarget})
 * @param format json, slack or teams; null: json, or the named endpoint's own
 * @param event {@code paused}, {@code near_limit} or {@code ended}
 * @param eventId unique per run and event: a receiver that gets one twice (delivery is at least once) can tell
 * @param atMillis workflow time of the event
 * @param outcome for {@code ended}: finished, incomplete or cancelled; else null
 * @param cause for {@code paused}: budget, stuck, model_error, ...; for {@code near_limit}: the limit (turns, hours, tokens, cost)
 * @param reason the sentence an operator reads
 * @param next the exact command that deals with it (resumes a paused run, reviews a finished one)
 */
public record Notification(
    String target,
    String format,
    String event,
    String eventId,
    long atMillis,
    String runId,
    String title,
    String repository,
    String branch,
    String outcome,
    String cause,
    String reason,
    String next,
    String summary,
    int turns,
    int toolCalls,
    long tokens,
    double costUsd) {

  public static final String PAUSED = "paused";
  public static final String NEAR_LIMIT = "near_limit";
  public static final String ENDED = "ended";
}
