package dev.marathon.workflows.api;

/** Failure types the workspace activities raise; the workflow's retry policy keys on them. */
public final class WorkspaceFailures {
  /** The repository or a snapshot is gone: no retry can fix it (an operator can). */
  public static final String GONE = "WorkspaceGone";
  /** Git or the filesystem failed; retried. */
  public static final String ERROR = "WorkspaceError";
  /** The run wants its commands sandboxed and this worker cannot: not retried (an operator can fix it). */
  public static final String SANDBOX_UNAVAILABLE = "SandboxUnavailable";
  /** A checkpoint store object does not match its hash (the disk damaged it): not retried, never trusted. */
  public static final String STORE_CORRUPT = "StoreCorrupt";

  private WorkspaceFailures() {}
}
