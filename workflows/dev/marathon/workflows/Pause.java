package dev.marathon.workflows;

/**
 * Why a run is waiting for an operator. A paused run costs nothing and loses nothing; it goes on
 * when an operator unpauses it, raises its budget, or tells it to finish.
 */
public record Pause(Cause cause, String reason) {

  public enum Cause {
    /** An operator asked for it. */
    OPERATOR,
    /** A budget (turns, hours, tokens, cost) was reached. */
    BUDGET,
    /** The agent kept repeating the same action without progress. */
    STUCK,
    /** The model endpoint refused in a way a retry cannot fix (key, quota, bad request). */
    MODEL_ERROR,
    /** The workspace could not be used (repository gone, git failing, no sandbox on the worker). */
    WORKSPACE_ERROR,
    /** An object of the checkpoint store is damaged (it no longer matches its hash). */
    STORE_ERROR
  }
}
