package dev.marathon.activities;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.activities.store.CheckpointStore;
import dev.marathon.activities.tools.Tool;
import dev.marathon.activities.tools.ToolCatalog;
import dev.marathon.activities.tools.ToolContext;
import dev.marathon.activities.tools.ToolException;
import dev.marathon.activities.tools.ToolOutput;
import dev.marathon.activities.workspace.Workspace;
import dev.marathon.activities.workspace.WorkspaceException;
import dev.marathon.activities.workspace.Workspaces;
import dev.marathon.workflows.api.ToolActivities;
import dev.marathon.workflows.api.ToolCall;
import dev.marathon.workflows.api.ToolInput;
import dev.marathon.workflows.api.ToolResult;
import io.temporal.activity.Activity;
import java.io.IOException;
import java.util.Map;

/**
 * Runs one tool call with exactly-once effect on the workspace: under the workspace's lease,
 * bring it to the given snapshot (restoring whatever a crashed attempt left), run the tool,
 * snapshot the result. The workflow advances its {@code workspaceRef} only when this completes.
 */
public final class ToolActivitiesImpl implements ToolActivities {
  private final Workspaces workspaces;
  private final CheckpointStore store;
  private final ToolCatalog catalog;
  private final Secrets secrets;

  public ToolActivitiesImpl(Workspaces workspaces, CheckpointStore store, ToolCatalog catalog, Secrets secrets) {
    this.workspaces = workspaces;
    this.store = store;
    this.catalog = catalog;
    this.secrets = secrets;
  }

  @Override
  public ToolResult execute(ToolInput input) {
    Runnable heartbeat = () -> Activity.getExecutionContext().heartbeat(input.stepId());
    ToolCall.Workspace call = input.call();
    Tool tool = catalog.workspaceTool(call.tool())
        .orElseThrow(() -> new IllegalArgumentException("not a workspace tool: " + call.tool()));
    Workspace ws = workspaces.get(input.workspace());
    try (Workspace.Lease lease = ws.lease(heartbeat)) {
      ws.bringTo(input.workspaceRef());
      if (!tool.readOnly()) ws.changing();
      ToolOutput out = run(tool, call, ws, input.commandSeconds(), heartbeat);
      String after = tool.readOnly() ? input.workspaceRef() : ws.snapshot(input.workspaceRef(), input.stepId() + " " + call.display());
      String text = secrets.redact(out.text());
      String observationRef = store.putText(text);
      String outputRef = out.fullOutput() == null ? observationRef : store.putText(secrets.redact(out.fullOutput()));
      return new ToolResult(after, observationRef, text.length(), outputRef, out.ok(), secrets.redact(out.summary()));
    } catch (WorkspaceException e) {
      throw Failures.workspace(e);
    }
  }

  private ToolOutput run(Tool tool, ToolCall.Workspace call, Workspace ws, int seconds, Runnable heartbeat) {
    JsonNode args;
    try {
      args = Json.MAPPER.readTree(store.get(call.argumentsRef()));
    } catch (IOException e) {
      return ToolOutput.error(call.tool() + ": arguments are not valid JSON");
    }
    ToolContext context = new ToolContext(ws.realRoot(), seconds, heartbeat,
        Map.of(Workspace.MARKER_ENV, ws.key().runId()), secrets.names());
    try {
      return tool.run(args, context);
    } catch (ToolException e) {
      return ToolOutput.error(e.getMessage());
    }
  }
}
