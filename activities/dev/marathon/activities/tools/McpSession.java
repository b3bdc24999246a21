package dev.marathon.activities.tools;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.activities.Json;
import dev.marathon.activities.process.ProcessGroups;
import dev.marathon.activities.sandbox.CommandLimits;
import dev.marathon.workflows.McpServer;
import dev.marathon.workflows.Text;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import io.temporal.client.ActivityCompletionException;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * One stdio MCP server, started for one step inside the run's sandbox exactly as the agent's
 * commands are (the workspace writable, the run's network, the allow-listed environment plus the
 * server's own {@code env}; never the worker's; the per-command memory and process limits), spoken
 * to with the official MCP Java SDK, and killed with the step, whatever it started. While a
 * request waits the activity heartbeats, so a cancelled step or a dead worker stops it.
 */
final class McpSession implements AutoCloseable {
  private static final JacksonMcpJsonMapper JSON = new JacksonMcpJsonMapper(Json.MAPPER.copy());
  /** The SDK's calls block; they wait here, not in the common pool, which a few slow servers would fill. */
  private static final ExecutorService REQUESTS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "mcp-request");
    t.setDaemon(true);
    return t;
  });
  /** The SDK keeps the server's process to itself; see {@link #process()}. Null if a later SDK renames it. */
  private static final Field PROCESS = processField();

  private final McpSyncClient client;
  private final StdioClientTransport transport;
  private final ToolContext context;
  private final CommandLimits.Cgroup cgroup;
  private final Deque<String> stderr;

  private McpSession(McpSyncClient client, StdioClientTransport transport, ToolContext context, CommandLimits.Cgroup cgroup, Deque<String> stderr) {
    this.client = client;
    this.transport = transport;
    this.context = context;
    this.cgroup = cgroup;
    this.stderr = stderr;
  }

  /** Starts {@code server} in the run's sandbox and initializes it; {@link ToolException} when it does not answer. */
  static McpSession open(String name, McpServer server, ToolContext context, Duration timeout) {
    if (context.sandbox() == null) throw new IllegalStateException("an MCP server runs in the run's sandbox; none was given");
    Map<String, String> env = new HashMap<>(context.env());
    for (Map.Entry<String, String> v : server.env().entrySet()) {
      String problem = dev.marathon.activities.sandbox.CommandEnvironment.settingProblem(v.getKey());
      if (problem != null) throw new ToolException("MCP server '" + name + "': env " + v.getKey() + " is not passed: " + problem);
      env.put(v.getKey(), v.getValue());
    }
    StringBuilder command = new StringBuilder("exec ").append(quoted(server.command()));
    for (String a : server.args()) command.append(' ').append(quoted(a));
    ProcessBuilder sandboxed = context.sandbox().process(command.toString(), context.root(), context.home(), context.readable(), env, context.network());
    CommandLimits.Cgroup cgroup = context.limits().open();
    List<String> argv = cgroup.wrap(sandboxed.command());
    Map<String, String> outer = new HashMap<>(sandboxed.environment());
    ServerParameters params = ServerParameters.builder(argv.get(0)).args(argv.subList(1, argv.size())).env(outer).build();
    StdioClientTransport transport = new StdioClientTransport(params, JSON) {
      @Override
      protected ProcessBuilder getProcessBuilder() {
        // Starts from nothing: the SDK then adds the sandbox's own outer environment and a few of the
        // worker's harmless defaults (HOME, PATH, USER...) that the sandbox replaces; never a key.
        ProcessBuilder pb = new ProcessBuilder().directory(context.root().toFile());
        pb.environment().clear();
        return pb;
      }
    };
    Deque<String> stderr = new ConcurrentLinkedDeque<>();
    transport.setStdErrorHandler(line -> {
      stderr.addLast(line);
      while (stderr.size() > 5) stderr.pollFirst();
    });
    McpSyncClient client = McpClient.sync(transport).requestTimeout(timeout).initializationTimeout(Duration.ofSeconds(60))
        .clientInfo(new McpSchema.Implementation("marathon", "1")).build();
    McpSession session = new McpSession(client, transport, context, cgroup, stderr);
    try {
      session.await(client::initialize, "start");
    } catch (ToolException e) {
      session.close();
      throw new ToolException(notStarted(name, server) + e.getMessage());
    } catch (RuntimeException e) {
      session.close();
      if (stopped(e)) throw e;
      throw new ToolException(notStarted(name, server) + reason(e) + session.said());
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

  /** How a server that did not start is named: with its command, which the lines it wrote before it exited may not have named. */
  private static String notStarted(String name, McpServer server) {
    return "MCP server '" + name + "' (" + server.command() + ") did not start: ";
  }

  /** Whether {@code e} is Temporal stopping the step (cancelled, timed out, the worker shutting down): not the server's failure. */
  static boolean stopped(Throwable e) {
    return e instanceof ActivityCompletionException || e.getCause() instanceof ActivityCompletionException;
  }

  /**
   * Waits for {@code request} while heartbeating; the heartbeat throws when the step was cancelled,
   * and the server is then stopped. A server that exits fails the request at once (the SDK would
   * wait out its timeout).
   */
  private <T> T await(Supplier<T> request, String what) {
    Future<T> pending = REQUESTS.submit(() -> unsentAgain(request));
    try {
      while (true) {
        try {
          return pending.get(200, TimeUnit.MILLISECONDS);
        } catch (TimeoutException stillWaiting) {
          Process p = process();
          if (p != null && !p.isAlive()) throw new ToolException("the server exited with code " + p.exitValue() + " before it could " + what + said());
          context.heartbeat().run();
        } catch (ExecutionException e) {
          throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ToolException("interrupted while waiting for the MCP server to " + what);
        }
      }
    } finally {
      pending.cancel(true);
    }
  }

  /**
   * Sends {@code request} again when the SDK could not even queue it: its transport refuses a message
   * while another thread is queueing one (the {@code initialized} notice right after {@code
   * initialize}). Nothing was sent then, so sending it again cannot do anything twice.
   */
  private static <T> T unsentAgain(Supplier<T> request) throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        return request.get();
      } catch (RuntimeException e) {
        if (attempt >= 5 || !String.valueOf(e.getMessage()).contains("Failed to enqueue message")) throw e;
        Thread.sleep(20L * attempt);
      }
    }
  }

  static String reason(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    return Text.oneLine(root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage(), 300);
  }

  /** The last lines the server wrote on stderr, for an error message; "" when none. */
  private String said() {
    return stderr.isEmpty() ? "" : "; it said: " + Text.oneLine(String.join(" / ", stderr), 400);
  }

  private Process process() {
    try {
      return PROCESS == null ? null : (Process) PROCESS.get(transport);
    } catch (IllegalAccessException e) {
      return null;
    }
  }

  private static Field processField() {
    try {
      Field f = StdioClientTransport.class.getDeclaredField("process");
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null; // the SDK's timeouts and the sandbox's end are then what stop a server
    }
  }

  /** Kills the server and all it started first (a graceful close could wait 10 s without a heartbeat), then lets the client go. */
  @Override
  public void close() {
    Process p = process();
    if (p != null) {
      ProcessGroups.kill(p.pid()); // setsid made the sandbox the leader of its own process group
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    try {
      client.close();
    } catch (RuntimeException ignored) {
      // the server is gone already
    } finally {
      cgroup.close();
    }
  }

  /** {@code s} as one word of a bash command line. */
  private static String quoted(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
