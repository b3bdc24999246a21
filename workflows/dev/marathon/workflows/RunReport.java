package dev.marathon.workflows;

/**
 * How a run ended: the workflow's result.
 *
 * @param head the commit the run's branch ends at
 * @param state the run's final state (refs, not content: a few KB), so that {@code log}, {@code
 *     diff} and {@code export} of an ended run read it here instead of having a worker replay its
 *     history; null for a sub-agent (its coordinator's history holds every sub-agent's result) and
 *     for runs that ended before it was added
 */
public record RunReport(RunOutcome outcome, String summary, String branch, String head, Progress progress, RunState state) {

  public RunReport(RunOutcome outcome, String summary, String branch, String head, Progress progress) {
    this(outcome, summary, branch, head, progress, null);
  }
}
