package dev.marathon.workflows.api;

/** Failure types the workspace activities raise; the workflow's retry policy keys on them. */
public final class WorkspaceFailures {
  /** The repository or a snapshot is gone: no retry can fix it (an operator can). */
  public static final String GONE = "WorkspaceGone";
  /** Git or the filesystem failed; retried. */
  public static final String ERROR = "WorkspaceError";

  private WorkspaceFailures() {}
}
