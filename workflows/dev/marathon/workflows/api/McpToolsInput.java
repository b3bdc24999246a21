package dev.marathon.workflows.api;

import dev.marathon.workflows.Containment;
import dev.marathon.workflows.McpServer;
import java.util.Map;

/**
 * Asks the run's MCP servers for their tools, once, when the run begins: the list is stored and
 * its ref kept, so a server that changes its tools later does not change a run in flight.
 *
 * @param workspaceRef the snapshot the servers start in (they run in the workspace, as a command would)
 */
public record McpToolsInput(WorkspaceKey workspace, String workspaceRef, Map<String, McpServer> servers, Containment containment,
    String keyEnv) {
  /** The {@code Workflow.getVersion} change id under which a run lists its MCP tools when it begins. */
  public static final String CHANGE = "mcp-tools";
}
