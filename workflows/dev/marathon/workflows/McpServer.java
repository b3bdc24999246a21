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
  /**
   * Null when a server's {@code env} may set {@code name}, else why not: never a name that looks
   * like it holds a secret (the block is in the run's history), nor one that changes how programs
   * are loaded. Checked by the CLI and again by the worker, since a run's input can say anything.
   */
  public static String envProblem(String name) {
    if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) return "not a variable name";
    if (name.matches("(?i).*(KEY|TOKEN|SECRET|PASSW|CREDENTIAL|PRIVATE|AUTH|COOKIE|SESSION|DSN|DATABASE_URL).*|.*_PAT|PAT_.*")) {
      return "its name looks like a secret (an MCP server's environment travels in the run's history, and no key goes to it)";
    }
    if (name.startsWith("LD_") || name.equals("BASH_ENV") || name.equals("ENV") || name.startsWith("MARATHON_")) {
      return "Marathon sets it or it changes how programs are loaded";
    }
    return null;
  }

  public McpServer {
    args = args == null ? List.of() : List.copyOf(args);
    env = env == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(env));
  }
}
