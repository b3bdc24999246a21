package dev.marathon.cli;

import dev.marathon.activities.Json;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Marathon as an MCP server: an interactive agent hands a long job to Marathon as a durable run and
 * checks on it later ({@link MarathonMcpTools}). Over stdio by default (the client starts this
 * command), or streamable HTTP on this machine's loopback with {@code --http PORT}. It talks to
 * the Temporal server like every other command; a worker ({@code ./marathon worker}) carries the runs.
 */
@Command(name = "mcp", mixinStandardHelpOptions = true, description = {
    "Serve Marathon over MCP: start, watch, steer, pause and cancel runs from Claude Code, Codex or Cursor.",
    "stdio by default; --http PORT serves streamable HTTP at http://127.0.0.1:PORT/mcp. A worker carries the runs."})
final class McpCommand implements Callable<Integer> {
  static final String INSTRUCTIONS = "Marathon runs long coding tasks durably (hours, thousands of tool calls, crashes survived)."
      + " Hand a task over with start_run, then check run_status now and then; steer_run tells the agent something;"
      + " run_diff shows its work, which lands on the branch marathon/<id>.";

  /** The HTTP endpoint's bearer token, when the user sets it (else one is made at start). */
  static final String TOKEN_ENV = "MARATHON_MCP_TOKEN";

  @Spec CommandSpec spec;
  @Mixin ConnectionOptions connection;

  @Option(names = "--http", paramLabel = "PORT", description = "Serve streamable HTTP on 127.0.0.1:PORT (path /mcp) instead of stdio.")
  Integer httpPort;

  @Override
  public Integer call() throws Exception {
    if (httpPort != null) OptionChecks.between("--http", httpPort, 1, 65535);
    JacksonMcpJsonMapper json = new JacksonMcpJsonMapper(Json.MAPPER.copy());
    List<SyncToolSpecification> tools = tools();
    return httpPort != null ? serveHttp(json, tools) : serveStdio(json, tools);
  }

  private int serveHttp(JacksonMcpJsonMapper json, List<SyncToolSpecification> tools) throws Exception {
    String given = System.getenv(TOKEN_ENV);
    boolean fromEnvironment = given != null && !given.isBlank();
    String token = fromEnvironment ? given.strip() : freshToken();
    try (McpHttpEndpoint endpoint = McpHttpEndpoint.start(httpPort, token, json, server -> build(server, tools))) {
      spec.commandLine().getErr().println("[marathon] MCP over streamable HTTP at " + endpoint.url() + " (this machine only); clients send"
          + " the header Authorization: Bearer " + (fromEnvironment ? "$" + TOKEN_ENV : token));
      spec.commandLine().getErr().flush();
      endpoint.join();
    }
    return ExitCodes.OK;
  }

  private static int serveStdio(JacksonMcpJsonMapper json, List<SyncToolSpecification> tools) throws InterruptedException {
    // The protocol owns stdout: anything else printed goes to stderr instead of corrupting it.
    PrintStream protocol = System.out;
    System.setOut(System.err);
    CountDownLatch clientGone = new CountDownLatch(1);
    InputStream in = new FilterInputStream(System.in) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        try {
          int n = super.read(b, off, len);
          if (n < 0) clientGone.countDown();
          return n;
        } catch (IOException e) {
          clientGone.countDown();
          throw e;
        }
      }
    };
    McpSyncServer server = build(McpServer.sync(new StdioServerTransportProvider(json, in, protocol)), tools);
    // The client started this process; when it is gone, so is this server (even if stdin never showed an end).
    ProcessHandle client = ProcessHandle.current().parent().orElse(null);
    while (!clientGone.await(2, TimeUnit.SECONDS)) {
      if (client != null && !client.isAlive()) break;
    }
    server.closeGracefully();
    return ExitCodes.OK;
  }

  private static String freshToken() {
    byte[] bytes = new byte[24];
    new java.security.SecureRandom().nextBytes(bytes);
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static McpSyncServer build(McpServer.SyncSpecification<?> server, List<SyncToolSpecification> tools) {
    return server.serverInfo("marathon", Version.of())
        .instructions(INSTRUCTIONS)
        .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
        .tools(tools)
        .build();
  }

  /** Each tool as the SDK serves it: its schema, and a handler that runs its command line here. */
  private List<SyncToolSpecification> tools() {
    List<String> where = new ArrayList<>();
    if (connection.address != null) where.add("--address=" + connection.address);
    where.add("--namespace=" + connection.namespace);
    List<SyncToolSpecification> specs = new ArrayList<>();
    for (CommandTool tool : MarathonMcpTools.all()) {
      @SuppressWarnings("unchecked")
      Map<String, Object> schema = Json.MAPPER.convertValue(tool.input().json(), Map.class);
      McpSchema.Tool described = McpSchema.Tool.builder(tool.name(), schema).description(tool.description()).build();
      specs.add(SyncToolSpecification.builder().tool(described).callHandler((exchange, request) -> {
        CommandTool.Outcome outcome = tool.call(request.arguments(), where);
        return McpSchema.CallToolResult.builder().addTextContent(outcome.text()).isError(outcome.failed()).build();
      }).build());
    }
    return specs;
  }
}
