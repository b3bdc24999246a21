package dev.marathon.workflows;

import dev.marathon.workflows.api.Notification;
import java.util.ArrayList;
import java.util.List;

/** What a run has told people and what it could not, a part of {@link RunState} (see {@link Notifier}). */
public final class Notifications {
  static final int PROBLEMS_KEPT = 5;

  /** Events handed out so far; numbers their ids. */
  public int sent;
  /** Deliveries that reached their endpoint. */
  public int delivered;
  /** Deliveries started and not yet over (shown in the details while a finished run waits for them). */
  public int underWay;
  /** Limits already reported near, as {@code turns@10}: a raised limit is reported again when it is near. */
  public List<String> nearReported = new ArrayList<>();
  /** The last deliveries that failed for good (a dead endpoint, one the worker refused), newest last. */
  public List<String> problems = new ArrayList<>();
  /** Deliveries still under way when the run continued as new: the next run of the chain makes them. */
  public List<Notification> carried = new ArrayList<>();

  void failed(String problem) {
    problems.add(problem);
    if (problems.size() > PROBLEMS_KEPT) problems.remove(0);
  }
}
