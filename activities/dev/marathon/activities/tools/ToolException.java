package dev.marathon.activities.tools;

/**
 * A tool call the tool refuses: bad arguments, a missing file, a path outside the workspace, a
 * non-unique edit. It goes back to the model as the call's result; the run goes on.
 */
public final class ToolException extends RuntimeException {
  public ToolException(String message) {
    super(message);
  }
}
