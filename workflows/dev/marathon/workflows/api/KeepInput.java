package dev.marathon.workflows.api;

import java.util.regex.Pattern;

/**
 * What a rewind keeps of the work it goes back over: the workspace at {@code snapshot}, committed
 * on branch {@code branch} ({@code marathon-rewound/<run>/<k>}) of the user's repository, and, for
 * an ended run started again, the run's own branch moved back to {@code moveBranchTo}. The worker
 * writes both under the run's lease; the CLI only asks.
 */
public record KeepInput(WorkspaceKey workspace, String snapshot, String branch, String message, String moveBranchTo) {
  /** The {@code Workflow.getVersion} change id under which runs keep a rewind's work themselves. */
  public static final String CHANGE = "rewind-keeps-work";

  private static final Pattern KEPT = Pattern.compile("marathon-rewound/([^/]+)/[1-9][0-9]{0,5}");

  /** Why {@code branch} is not a branch a rewind of {@code runId} may write, or null when it is. */
  public static String branchProblem(String branch, String runId) {
    var m = branch == null ? null : KEPT.matcher(branch);
    if (m == null || !m.matches() || !m.group(1).equals(runId)) {
      return "a rewind of " + runId + " keeps its work on marathon-rewound/" + runId + "/<k>, not on " + branch;
    }
    return null;
  }
}
