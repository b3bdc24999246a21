package dev.marathon.activities;

import io.temporal.activity.ActivityExecutionContext;
import java.time.Duration;

/**
 * An activity's heartbeat that stays quiet for the activity's first second.
 *
 * <p>Why: the SDK sends an activity's first heartbeat at once, as a blocking call, and the server
 * writes it to its database before it answers; only later ones are throttled. Every turn's two
 * activities paid that round trip — a model call heartbeats when its stream starts, a batch of
 * tool calls after its first call — though most end within milliseconds, where a heartbeat tells
 * nobody anything: the server's heartbeat timeout runs from the activity's start either way, so a
 * worker that dies in the first second is noticed as soon as before. What is given up: a
 * cancellation reaches an activity at its first heartbeat, so up to a second later; and the live
 * text of a turn (which rides on the heartbeat) shows from its second second.
 */
public final class QuietHeartbeat {
  private static final Duration QUIET = Duration.ofSeconds(1);
  private final ActivityExecutionContext context;
  private final long loudFrom;

  public QuietHeartbeat(ActivityExecutionContext context) {
    this.context = context;
    Duration timeout = context.getInfo().getHeartbeatTimeout();
    // Well inside even a short heartbeat timeout: at most a quarter of it.
    Duration quiet = timeout.isZero() || timeout.dividedBy(4).compareTo(QUIET) >= 0 ? QUIET : timeout.dividedBy(4);
    this.loudFrom = System.nanoTime() + quiet.toNanos();
  }

  /** Heartbeats with {@code details} once the activity is past its quiet start; before that does nothing. */
  public void beat(Object details) {
    if (System.nanoTime() - loudFrom >= 0) context.heartbeat(details);
  }
}
