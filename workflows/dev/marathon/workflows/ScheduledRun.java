package dev.marathon.workflows;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * What a Temporal Schedule starts at each firing ({@code ./marathon schedule}): it starts one
 * ordinary run from the schedule's template, with an id and branch of its own (the schedule's name
 * and the time), and waits for it to end. Waiting is what makes the schedule's overlap policy mean
 * "while the last run of this schedule is still going", a paused one included.
 */
@WorkflowInterface
public interface ScheduledRun {
  @WorkflowMethod
  RunReport launch(RunState template);
}
