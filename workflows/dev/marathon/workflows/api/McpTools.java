package dev.marathon.workflows.api;

import java.util.List;

/**
 * The MCP tools a run is offered, as recorded when it began.
 *
 * @param ref the stored list (servers and tools with their schemas); the model and tool activities read it
 * @param names the tools' names as the model sees them, {@code mcp__<server>__<tool>}
 * @param problems servers that did not answer, each with why: the model is told, and the run goes on
 */
public record McpTools(String ref, List<String> names, List<String> problems) {}
