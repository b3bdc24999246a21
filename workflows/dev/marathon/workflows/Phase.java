package dev.marathon.workflows;

import java.util.Locale;

/** Where a run is; the value of the {@code MarathonPhase} search attribute. */
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

  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public boolean isEnd() {
    return this == FINISHED || this == INCOMPLETE || this == CANCELLED;
  }
}
