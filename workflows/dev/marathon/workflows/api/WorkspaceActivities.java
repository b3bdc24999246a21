package dev.marathon.workflows.api;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Creates and closes a run's workspace and first checkpoint. */
@ActivityInterface
public interface WorkspaceActivities {

  /**
   * Creates the run's worktree on its branch from the repository's HEAD and the first
   * conversation checkpoint (system prompt and task). Idempotent: a retry finds what the first
   * attempt made.
   */
  @ActivityMethod
  BeginResult begin(BeginInput input);

  /**
   * Commits whatever the agent left uncommitted onto the run's branch, so the branch holds all of
   * the run's work.
   */
  @ActivityMethod
  CommitResult commit(CommitInput input);
}
