package dev.marathon.activities.workspace;

/**
 * The workspace cannot be used: git failed, or the repository is missing or not usable.
 * {@code permanent} marks what no retry can fix (the activity fails without retrying).
 */
public final class WorkspaceException extends RuntimeException {
  private final boolean permanent;

  public WorkspaceException(String message, boolean permanent) {
    super(message);
    this.permanent = permanent;
  }

  public boolean permanent() {
    return permanent;
  }
}
