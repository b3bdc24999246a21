package dev.marathon.activities.tools;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.activities.Json;
import dev.marathon.workflows.McpServer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * One stdio MCP server, started for one step inside the run's sandbox exactly as the agent's
 * commands are (the workspace writable, the run's network, the allow-listed environment plus the
 * server's own {@code env}; never the worker's), spoken to with the official MCP Java SDK, and
 * stopped with the step: the sandbox's process namespace ends with it, and whatever it started.
 * While a request waits the activity heartbeats, so a cancelled step or a dead worker stops it.
 */
final class McpSession implements AutoCloseable {
  private static final JacksonMcpJsonMapper JSON = new JacksonMcpJsonMapper(Json.MAPPER.copy());

  private final McpSyncClient client;
  private final StdioClientTransport transport;
  private final ToolContext context;
  private final java.util.Deque<String> stderr;

  private McpSession(McpSyncClient client, StdioClientTransport transport, ToolContext context, java.util.Deque<String> stderr) {
    this.client = client;
    this.transport = transport;
    this.context = context;
    this.stderr = stderr;
  }

  /** Starts {@code server} in the run's sandbox and initializes it; {@link ToolException} when it does not answer. */
  static McpSession open(String name, McpServer server, ToolContext context, Duration timeout) {
    if (context.sandbox() == null) throw new IllegalStateException("an MCP server runs in the run's sandbox; none was given");
    Map<String, String> env = new HashMap<>(context.env());
    env.putAll(server.env());
    StringBuilder command = new StringBuilder("exec ").append(quoted(server.command()));
    for (String a : server.args()) command.append(' ').append(quoted(a));
    ProcessBuilder sandboxed = context.sandbox().process(command.toString(), context.root(), context.home(), context.readable(), env, context.network());
    List<String> argv = sandboxed.command();
    ServerParameters params = ServerParameters.builder(argv.get(0)).args(argv.subList(1, argv.size())).env(sandboxed.environment()).build();
    StdioClientTransport transport = new StdioClientTransport(params, JSON) {
      @Override
      protected ProcessBuilder getProcessBuilder() {
        // Not the SDK's: it would start from the worker's environment (keys included); the sandbox's is exactly what it was given.
        ProcessBuilder pb = new ProcessBuilder().directory(context.root().toFile());
        pb.environment().clear();
        return pb;
      }
    };
    java.util.Deque<String> stderr = new java.util.concurrent.ConcurrentLinkedDeque<>();
    transport.setStdErrorHandler(line -> {
      stderr.addLast(line);
      while (stderr.size() > 5) stderr.pollFirst();
    });
    McpSyncClient client = McpClient.sync(transport).requestTimeout(timeout).initializationTimeout(Duration.ofSeconds(60))
        .clientInfo(new McpSchema.Implementation("marathon", "1")).build();
    McpSession session = new McpSession(client, transport, context, stderr);
    try {
      session.await(client::initialize, "start");
    } catch (ToolException e) {
      session.close();
      throw new ToolException("MCP server '" + name + "' did not start: " + e.getMessage());
    } catch (RuntimeException e) {
      session.close();
      throw new ToolException("MCP server '" + name + "' did not start: " + reason(e) + session.said());
    }
    return session;
  }

  /** Every tool the server lists, all pages. */
  List<McpSchema.Tool> tools() {
    List<McpSchema.Tool> tools = new ArrayList<>();
    String cursor = null;
    do {
      String page = cursor;
      McpSchema.ListToolsResult r = await(() -> page == null ? client.listTools() : client.listTools(page), "list its tools");
      tools.addAll(r.tools());
      cursor = r.nextCursor();
    } while (cursor != null && tools.size() < 1000);
    return tools;
  }

  McpSchema.CallToolResult call(String tool, JsonNode arguments) {
    Map<String, Object> args = Json.MAPPER.convertValue(arguments, new TypeReference<Map<String, Object>>() { });
    return await(() -> client.callTool(new McpSchema.CallToolRequest(tool, args)), "call " + tool);
  }

  /**
   * Waits for {@code request} while heartbeating; the heartbeat throws when the step was cancelled,
   * and the server is then stopped. A server that exits fails the request at once (the SDK would
   * wait out its timeout).
   */
  private <T> T await(Supplier<T> request, String what) {
    CompletableFuture<T> pending = CompletableFuture.supplyAsync(request);
    while (true) {
      try {
        return pending.get(200, TimeUnit.MILLISECONDS);
      } catch (TimeoutException stillWaiting) {
        Process p = process();
        if (p != null && !p.isAlive()) {
          pending.cancel(true);
          throw new ToolException("the server exited with code " + p.exitValue() + " before it could " + what + said());
        }
        context.heartbeat().run();
      } catch (ExecutionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ToolException("interrupted while waiting for the MCP server to " + what);
      }
    }
  }

  static String reason(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return dev.marathon.workflows.Text.oneLine(message, 300);
  }

  /** The last lines the server wrote on stderr, for an error message; "" when none. */
  private String said() {
    return stderr.isEmpty() ? "" : "; it said: " + dev.marathon.workflows.Text.oneLine(String.join(" / ", stderr), 400);
  }

  /**
   * The server's process, which the SDK keeps to itself: read so that a server that dies is noticed
   * at once and one that hangs is killed with the step. Null if a later SDK renames the field
   * (then the SDK's timeouts and the sandbox's end are what stop it).
   */
  private Process process() {
    try {
      java.lang.reflect.Field f = StdioClientTransport.class.getDeclaredField("process");
      f.setAccessible(true);
      return (Process) f.get(transport);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  @Override
  public void close() {
    Process p = process();
    if (p != null && !p.isAlive()) {
      client.close(); // nothing to wait for
    } else {
      try {
        client.closeGracefully();
      } catch (RuntimeException ignored) {
        client.close();
      }
    }
    if (p != null) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  /** {@code s} as one word of a bash command line. */
  private static String quoted(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
