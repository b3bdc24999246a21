package dev.marathon.workflows;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One long-running engineering task. The workflow id is the run id users see; it stays the same
 * across continue-as-new. Every message carries a description, shown in the Temporal Web UI.
 */
@WorkflowInterface
public interface AgentWorkflow {

  /** Runs the agent loop from {@code state} until the run ends; carries the state across runs. */
  @WorkflowMethod
  RunReport run(RunState state);

  @QueryMethod(
      name = "progress",
      description = "The run as ./marathon status --json shows it: phase, turn, plan, usage, branch.")
  Progress progress();

  @QueryMethod(
      name = "state",
      description = "The run's carried state (refs, plan, budget, lifecycle), as continue-as-new passes it on;"
          + " for debugging.")
  RunState state();

  @UpdateMethod(
      name = "steer",
      description =
          "Send the agent a message (a string). Delivered at the next turn boundary;"
              + " returns the turn it lands in. Rejected once the run is ending.")
  SteerReceipt steer(String message);

  /** The longest steering message a run takes (characters); {@code ./marathon steer} checks it at the door. */
  int MAX_STEER_CHARS = 16_384;

  @UpdateValidatorMethod(updateName = "steer")
  void validateSteer(String message);

  @UpdateMethod(
      name = "budget",
      description =
          "Raise or change limits: {maxTurns, maxHours, maxTokens, maxCostUsd}; null fields keep"
              + " their value. A run paused on a budget goes on if the new budget allows it.")
  Budget budget(Budget change);

  @UpdateMethod(
      name = "rewind",
      description = "Put a paused run back to right after turn N (conversation, workspace, plan), then let it go on;"
          + " ./marathon rewind reads that state from the store. Rejected unless the run is paused.")
  Progress rewind(Rewind to);

  @UpdateValidatorMethod(updateName = "rewind")
  void validateRewind(Rewind to);

  @SignalMethod(
      name = "pause",
      description = "Pause at the next turn boundary. Argument: a reason (string, optional).")
  void pause(String reason);

  @SignalMethod(
      name = "unpause",
      description = "Let a paused run go on (after a budget pause, raise the budget instead).")
  void unpause();

  @SignalMethod(
      name = "finish",
      description =
          "Ask the agent to wrap up now: it gets a few turns to commit and report, then the run"
              + " ends. Works on paused runs too.")
  void finish();

  @SignalMethod(
      name = "agentNews",
      description = "From a sub-agent to its coordinator: it paused, went on, or ended (with its numbers and report).")
  void agentNews(AgentNews news);

  @SignalMethod(
      name = "cancel",
      description =
          "Cancel. Argument now=false (default): the agent wraps up and commits, then the run"
              + " ends as cancelled. now=true, or a second cancel: stop at once, workspace kept"
              + " consistent.")
  void cancel(boolean now);
}
