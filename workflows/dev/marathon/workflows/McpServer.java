package dev.marathon.workflows;

import java.util.List;
import java.util.Map;

/**
 * One entry of a user's {@code mcpServers} block: a stdio MCP server, started inside the run's
 * sandbox (the workspace writable, the network as the run's containment says) for each call, by
 * whichever worker runs that step. Its environment is the sandbox's allow-list plus {@code env},
 * whose names may not look like secrets: a value here travels in the run's input and its history.
 *
 * @param command the program, e.g. {@code npx} or {@code mcp-server-filesystem}
 * @param args its arguments, e.g. {@code ["-y", "@modelcontextprotocol/server-filesystem", "."]}
 * @param env variables it gets besides the sandbox's allow-list
 */
public record McpServer(String command, List<String> args, Map<String, String> env) {
  public McpServer {
    args = args == null ? List.of() : List.copyOf(args);
    env = env == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(env));
  }
}
