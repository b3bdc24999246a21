package dev.marathon.activities.tools;

import dev.marathon.workflows.api.ToolCall;

/** {@code finish {summary}}: the agent ends the run with its report; the workflow closes the run. */
public final class FinishTool implements Tool {
  /** The summary travels through history to the user; longer reports are cut. */
  static final int MAX_SUMMARY_CHARS = 8_000;

  @Override
  public ToolSpec spec() {
    return new ToolSpec(ToolCall.Finish.NAME,
        "End the run when the task is done (or cannot be done). Commit your work first. The summary is the report the"
            + " user reads: what changed, how it was verified, what is left.",
        Schema.object().required("summary", Schema.string("The final report.")),
        true);
  }

  @Override
  public ToolCall call(String id, Arguments args) {
    String summary = args.requiredString("summary");
    return new ToolCall.Finish(id, summary.length() > MAX_SUMMARY_CHARS ? summary.substring(0, MAX_SUMMARY_CHARS) + "…" : summary);
  }
}
