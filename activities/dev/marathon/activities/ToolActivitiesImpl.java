package dev.marathon.activities;

import dev.marathon.activities.store.CheckpointStore;
import dev.marathon.activities.store.Conversations;
import dev.marathon.activities.tools.Arguments;
import dev.marathon.activities.tools.ToolCatalog;
import dev.marathon.activities.tools.ToolContext;
import dev.marathon.activities.tools.ToolException;
import dev.marathon.activities.tools.ToolOutput;
import dev.marathon.activities.tools.WorkspaceTool;
import dev.marathon.activities.workspace.Workspace;
import dev.marathon.activities.workspace.WorkspaceException;
import dev.marathon.activities.workspace.Workspaces;
import dev.marathon.workflows.api.ToolActivities;
import dev.marathon.workflows.api.ToolCall;
import dev.marathon.workflows.api.ToolInput;
import dev.marathon.workflows.api.ToolResult;
import io.temporal.activity.Activity;
import java.util.Map;

/**
 * Runs one tool call with exactly-once effect on the workspace: under the workspace's lease,
 * bring it to the given snapshot (restoring whatever a crashed attempt left), run the tool,
 * snapshot the result. The workflow advances its {@code workspaceRef} only when this completes.
 * The call's arguments are read from the assistant message that made it (stored once, there).
 */
public final class ToolActivitiesImpl implements ToolActivities {
  private final Workspaces workspaces;
  private final Conversations conversations;
  private final CheckpointStore store;
  private final ToolCatalog catalog;
  private final Secrets secrets;

  public ToolActivitiesImpl(Workspaces workspaces, Conversations conversations, ToolCatalog catalog, Secrets secrets) {
    this.workspaces = workspaces;
    this.conversations = conversations;
    this.store = conversations.store();
    this.catalog = catalog;
    this.secrets = secrets;
  }

  @Override
  public ToolResult execute(ToolInput input) {
    Runnable heartbeat = () -> Activity.getExecutionContext().heartbeat(input.stepId());
    ToolCall.Workspace call = input.call();
    WorkspaceTool<?> tool = catalog.workspaceTool(call.tool())
        .orElseThrow(() -> new IllegalArgumentException("not a workspace tool: " + call.tool()));
    boolean readOnly = tool.spec().readOnly();
    Workspace ws = workspaces.get(input.workspace());
    try (Workspace.Lease lease = ws.lease(heartbeat)) {
      ws.bringTo(input.workspaceRef());
      if (!readOnly) ws.changing();
      ToolOutput out = run(tool, input, ws, heartbeat);
      String after = readOnly ? input.workspaceRef() : ws.snapshot(input.workspaceRef(), input.stepId() + " " + call.display());
      String text = secrets.redact(out.text());
      String observationRef = store.putText(text);
      String outputRef = out.fullOutput() == null ? observationRef : store.putText(secrets.redact(out.fullOutput()));
      return new ToolResult(after, observationRef, text.length(), outputRef, out.ok(), secrets.redact(out.summary()));
    } catch (WorkspaceException e) {
      throw Failures.workspace(e);
    }
  }

  private ToolOutput run(WorkspaceTool<?> tool, ToolInput input, Workspace ws, Runnable heartbeat) {
    ToolCall.Workspace call = input.call();
    ToolContext context = new ToolContext(ws.realRoot(), input.commandSeconds(), heartbeat,
        Map.of(Workspace.MARKER_ENV, ws.key().runId()), secrets.names());
    try {
      return tool.execute(Arguments.parse(call.tool(), arguments(input)), context);
    } catch (ToolException e) {
      return ToolOutput.error(e.getMessage());
    }
  }

  /** The call's arguments text, from the assistant message that made it. */
  private String arguments(ToolInput input) {
    ToolCall.Workspace call = input.call();
    // Calls scheduled before 0.2 carry no context ref: their arguments are stored under their hash.
    String text = input.contextRef() == null ? store.getText(call.argumentsHash()) : conversations.arguments(input.contextRef(), call.id());
    if (text == null) throw new IllegalStateException("no call " + call.id() + " in checkpoint " + input.contextRef());
    return text;
  }
}
