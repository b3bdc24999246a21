package dev.marathon.workflows.api;

import dev.marathon.workflows.Containment;
import java.util.List;

/**
 * Several consecutive workspace calls of one turn, run by one activity: one Temporal round trip
 * for the turn's calls instead of one per call. Each call still gets its own snapshot and stored
 * result, exactly as {@link ToolInput} would give it; the activity records its progress after each
 * call, so a retried attempt goes on after the last finished call and no effect happens twice.
 *
 * @param turn the model turn the calls belong to
 * @param firstIndex how many of the turn's calls came before the first one: its step id is
 *     {@code turn.(firstIndex + 1)}, e.g. {@code 42.1}, and the others follow ({@code 42.2} ...)
 * @param workspaceRef the snapshot the workspace must be at before the first call
 * @param commandSeconds how long each call's command may run, in the calls' order
 * @param containment how the calls' commands are contained; never null (the default when none is given)
 */
public record ToolBatch(
    WorkspaceKey workspace,
    String contextRef,
    int turn,
    int firstIndex,
    String workspaceRef,
    List<ToolCall.Workspace> calls,
    List<Integer> commandSeconds,
    Containment containment,
    String keyEnv,
    String mcpToolsRef) {

  public ToolBatch {
    if (containment == null) containment = Containment.DEFAULT;
  }

  /** The one-call input for call {@code i}, when the workspace is at {@code workspaceRef}. */
  public ToolInput call(int i, String workspaceRef) {
    return new ToolInput(workspace, contextRef, turn + "." + (firstIndex + i + 1), workspaceRef, calls.get(i), commandSeconds.get(i),
        containment, keyEnv, mcpToolsRef);
  }
}
