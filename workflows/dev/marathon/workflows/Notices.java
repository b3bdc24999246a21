package dev.marathon.workflows;

/** What the runtime tells the model between turns. Plain text, shown as a user message. */
final class Notices {

  static final String NO_TOOL_CALL =
      "[marathon] You replied without calling a tool. Keep working with the tools; when the task is"
          + " done, call `finish` with a summary.";

  /** Turns in a row without a tool call after which the run pauses (a model chatting instead of working). */
  static final int TURNS_WITHOUT_TOOLS = 5;

  static final String CUT_OFF =
      "[marathon] Your last reply was cut off at the output limit. Keep replies and tool calls smaller:"
          + " write a big file in parts.";

  static final String REPEATING =
      "[marathon] You have repeated the same action with the same result several times. Step back:"
          + " re-read the plan, try a different approach, or call `finish` and explain what blocks you.";

  /** An MCP server of the run's config did not answer when the run began: its tools are not offered. */
  static String mcpUnavailable(String problem) {
    return "Marathon: " + problem + " Its tools are not available in this run.";
  }

  static String nearLimit(String budget) {
    return "[marathon] This run is close to its " + budget + " budget. Wrap up: save your work in the"
        + " workspace (commit it), update the plan, and call `finish` with a summary of what is done"
        + " and what is left.";
  }

  static String budgetEnds(String reached) {
    return "[marathon] This run has reached its budget (" + reached + ") and ends after " + Stop.GRACE_TURNS
        + " more turns: commit your work, then call `finish` with a report of what is done and what is left.";
  }

  static String wrapUp(Stop.Kind kind) {
    return kind == Stop.Kind.CANCEL
        ? "[marathon] The operator cancelled this run. You have " + Stop.GRACE_TURNS + " turns: leave"
            + " the workspace consistent (commit your work), then call `finish` with a short report."
        : "[marathon] The operator asked you to finish now. You have " + Stop.GRACE_TURNS + " turns:"
            + " commit your work, then call `finish` with a final report of what is done and what is left.";
  }

  private Notices() {}
}
