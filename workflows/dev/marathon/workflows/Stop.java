package dev.marathon.workflows;

/**
 * An operator's request to end the run. The agent gets {@code graceTurns} more turns to wrap up
 * (commit, write its report, call {@code finish}); then the run ends regardless.
 *
 * @param kind what to end as
 * @param byTurn the run ends at the boundary after this turn if the agent has not finished
 * @param now end at once: cancel what is in flight and close
 */
public record Stop(Kind kind, int byTurn, boolean now) {

  public enum Kind {
    /** Ends as {@link RunOutcome#CANCELLED}. */
    CANCEL,
    /** Ends as {@link RunOutcome#FINISHED} if the agent reports, else {@link RunOutcome#INCOMPLETE}. */
    FINISH
  }

  /** Turns the agent gets to wrap up after a graceful stop request. */
  public static final int GRACE_TURNS = 3;
}
