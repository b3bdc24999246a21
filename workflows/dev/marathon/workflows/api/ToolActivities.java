package dev.marathon.workflows.api;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Tools that touch the workspace. */
@ActivityInterface
public interface ToolActivities {

  /**
   * Brings the workspace to {@code workspaceRef} (restoring it if a crashed attempt left it
   * dirty), runs the tool, snapshots the result. A failing tool is data ({@code ok=false}); only a
   * broken workspace is an exception.
   */
  @ActivityMethod
  ToolResult execute(ToolInput input);

  /** Runs consecutive calls of a turn, each as {@link #execute} would; see {@link ToolBatch}. */
  @ActivityMethod
  ToolBatchResult executeAll(ToolBatch batch);

  /** Starts each of the run's MCP servers in its sandbox, lists its tools, and stores the list; see {@link McpToolsInput}. */
  @ActivityMethod
  McpTools listMcpTools(McpToolsInput input);
}
