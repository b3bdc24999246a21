package dev.marathon.workflows;

import dev.marathon.workflows.api.Observation;
import java.util.List;

/**
 * Where a paused run is put back to ({@code ./marathon rewind}): its state right after turn {@code
 * turn}'s tool results, read from the checkpoint store. Spending is not rewound: it was spent.
 *
 * @param keepAs the branch the work gone back over is kept on ({@code marathon-rewound/<id>/<k>});
 *     the run's worker writes it before the run goes on. Null from a CLI at or before commit
 *     2e30dc5 (2026-12-03), which wrote the branch itself.
 */
public record Rewind(int turn, String contextRef, List<Observation> observations, String workspaceRef, List<PlanStep> plan,
    int toolCalls, String keepAs) {

  public Rewind(int turn, String contextRef, List<Observation> observations, String workspaceRef, List<PlanStep> plan, int toolCalls) {
    this(turn, contextRef, observations, workspaceRef, plan, toolCalls, null);
  }

  /** This rewind, keeping the work it goes back over on {@code branch}. */
  public Rewind keepingWorkOn(String branch) {
    return new Rewind(turn, contextRef, observations, workspaceRef, plan, toolCalls, branch);
  }
}
