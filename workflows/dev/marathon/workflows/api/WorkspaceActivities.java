package dev.marathon.workflows.api;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** A run's workspace at its two ends: created with the first checkpoint, committed at the close. */
@ActivityInterface
public interface WorkspaceActivities {

  /**
   * Creates the run's workspace on its branch from the repository's HEAD, takes the first
   * snapshot, and writes the first conversation checkpoint (system prompt and task). Idempotent:
   * a retry finds what the first attempt made. (Its activity type stays {@code Begin}, the name
   * runs in flight know it by.)
   */
  @ActivityMethod(name = "Begin")
  CreateRunResult createWorkspaceAndConversation(CreateRunInput input);

  /**
   * Commits whatever the agent left uncommitted onto the run's branch, so the branch holds all of
   * the run's work.
   */
  @ActivityMethod
  CommitResult commit(CommitInput input);

  /**
   * Keeps what a rewind goes back over on its branch of the user's repository (and moves the
   * run's branch back, for an ended run started again), under the run's lease: nothing else
   * writes the user's repository. A retry puts the branches at the same trees again (the kept
   * commit's time is the attempt's).
   * Returns the kept commit.
   */
  @ActivityMethod
  String keep(KeepInput input);
}
