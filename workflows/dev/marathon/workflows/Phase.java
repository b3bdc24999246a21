package dev.marathon.workflows;

import java.util.Locale;

/**
 * What a run is doing, as people see it (status, the Web UI, the {@code MarathonPhase} search
 * attribute): its {@link Lifecycle} stage, refined by the step it is in while running.
 */
public enum Phase {
  STARTING,
  THINKING,
  ACTING,
  COMPACTING,
  PAUSED,
  WRAPPING_UP,
  FINISHED,
  INCOMPLETE,
  CANCELLED;

  /** The step a running run is in. */
  public enum Step {
    STARTING,
    THINKING,
    ACTING,
    COMPACTING,
    WAITING,
    CLOSING
  }

  /** The phase of a run in {@code lifecycle} taking {@code step}. */
  public static Phase of(Lifecycle lifecycle, Step step) {
    return switch (step) {
      case STARTING -> STARTING;
      case COMPACTING -> COMPACTING;
      case WAITING -> PAUSED;
      case CLOSING -> lifecycle.outcome().phase();
      case THINKING -> lifecycle.stop() != null ? WRAPPING_UP : THINKING;
      case ACTING -> lifecycle.stop() != null ? WRAPPING_UP : ACTING;
    };
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
