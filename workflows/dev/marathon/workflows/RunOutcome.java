package dev.marathon.workflows;

/** How a run ended. Ending is data: the workflow returns it, it never throws it. */
public enum RunOutcome {
  /** The agent called {@code finish}. */
  FINISHED,
  /** The run stopped without the agent calling {@code finish} (e.g. told to finish at a limit). */
  INCOMPLETE,
  /** An operator cancelled the run. */
  CANCELLED;

  public Phase phase() {
    return switch (this) {
      case FINISHED -> Phase.FINISHED;
      case INCOMPLETE -> Phase.INCOMPLETE;
      case CANCELLED -> Phase.CANCELLED;
    };
  }
}
