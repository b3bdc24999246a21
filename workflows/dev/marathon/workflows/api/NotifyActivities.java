package dev.marathon.workflows.api;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Tells people what a run needs: a retried delivery that never blocks the run it reports on. */
@ActivityInterface
public interface NotifyActivities {
  /** An endpoint this worker will not deliver to (not allowed, unknown name): retrying cannot help. */
  String REFUSED = "NotificationRefused";

  /**
   * Posts the event to its URL, or runs the worker's configured command with the event as JSON on
   * its standard input. Fails (and is retried) while the endpoint is down or answers an error.
   */
  @ActivityMethod
  void deliver(Notification notification);
}
