package dev.marathon.activities.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.activities.policy.KeyBindings;
import dev.marathon.activities.policy.WorkerPolicy;
import dev.marathon.activities.sandbox.Bubblewrap;
import dev.marathon.activities.sandbox.Sandboxes;
import dev.marathon.workflows.Containment;
import dev.marathon.workflows.McpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference MCP servers from npm, started in the real sandbox: their tools are listed with
 * their schemas, a call's result comes back, the server's environment has no key and its writes
 * land in the workspace, and a server that does not start is a clear, quick error.
 */
class McpToolTest {
  @TempDir Path tmp;
  private Sandboxes sandboxes;
  private Path workspace;
  private Path home;

  @BeforeEach
  void setUp() throws Exception {
    assertTrue(Bubblewrap.find("mcp-server-everything") != null, "the MCP reference servers are not installed (scripts/install-test-tools)");
    sandboxes = new Sandboxes(List.of(tmp.resolve("marathon")), WorkerPolicy.strict(KeyBindings.none()));
    workspace = Files.createDirectories(tmp.resolve("marathon/workspaces/mcp-1"));
    home = Files.createDirectories(tmp.resolve("marathon/workspaces/mcp-1.marathon/home"));
  }

  ToolContext context(Containment containment) {
    return new ToolContext(workspace, 60, () -> { }, sandboxes.forRun("mcp-1", containment), home, List.of(),
        Map.of("PATH", System.getenv("PATH"), "HOME", home.toString()), sandboxes.network(containment), sandboxes.limits(),
        new dev.marathon.activities.GitWorkTreeFiles());
  }

  @Test
  void theServersToolsAreListedAndCalledInTheSandbox() {
    Map<String, McpServer> servers = Map.of("everything", new McpServer("mcp-server-everything", List.of(), Map.of("GREETING", "hello")),
        "files", new McpServer("mcp-server-filesystem", List.of("."), Map.of()));
    McpToolList list = McpToolList.list(servers, context(Containment.DEFAULT));
    assertEquals(List.of(), list.problems());
    assertTrue(list.names().containsAll(List.of("mcp__everything__get-sum", "mcp__everything__get-env", "mcp__files__write_file")), list.names().toString());
    McpToolList stored = McpToolList.parse(list.json());
    assertEquals(list.names(), stored.names());
    ToolCatalog catalog = new ToolCatalog().with(stored.asTools());

    assertEquals("The sum of 2 and 3 is 5.", run(catalog, "mcp__everything__get-sum", "{\"a\": 2, \"b\": 3}").text());
    String env = run(catalog, "mcp__everything__get-env", "{}").text();
    assertTrue(env.contains("\"GREETING\": \"hello\"") || env.contains("\"GREETING\":\"hello\""), env);
    assertFalse(env.contains(System.getenv().getOrDefault("MARATHON_TEST_KEY", "no-key-set")), "no key: " + env);
    ToolOutput wrote = run(catalog, "mcp__files__write_file", "{\"path\": \"notes.txt\", \"content\": \"from MCP\\n\"}");
    assertTrue(wrote.ok(), wrote.text());
    assertTrue(Files.exists(workspace.resolve("notes.txt")), "the server's write is in the workspace");
    ToolOutput error = run(catalog, "mcp__everything__get-sum", "{\"a\": \"two\"}");
    assertFalse(error.ok(), error.text());
  }

  @Test
  void aServerThatDoesNotStartIsAQuickClearError() {
    McpToolList list = assertTimeoutPreemptively(Duration.ofSeconds(30),
        () -> McpToolList.list(Map.of("down", new McpServer("false", List.of(), Map.of()),
            "missing", new McpServer("no-such-mcp-server", List.of(), Map.of())), context(Containment.DEFAULT)));
    assertEquals(2, list.problems().size(), list.problems().toString());
    assertTrue(list.problems().get(0).startsWith("MCP server 'down' (false) did not start"), list.problems().toString());
    assertTrue(list.problems().get(1).startsWith("MCP server 'missing' (no-such-mcp-server) did not start"), list.problems().toString());
  }

  /**
   * A server's env is the run's input (or a committer's): a PATH that puts the workspace first, with
   * a "prlimit" of the agent's there, must not run it on the host, where the sandbox is started from.
   */
  @Test
  void aServersEnvNeverReachesTheProcessesThatStartTheSandbox() throws Exception {
    Path escaped = tmp.resolve("escaped"); // /tmp is the sandbox's own: only a host process can write here
    Files.writeString(workspace.resolve("prlimit"), "#!/bin/sh\necho ran > " + escaped + "\nexec /usr/bin/prlimit \"$@\"\n");
    workspace.resolve("prlimit").toFile().setExecutable(true);
    McpToolList list = McpToolList.list(Map.of("everything", new McpServer("mcp-server-everything", List.of(),
        Map.of("PATH", workspace + ":/usr/bin:/bin"))), context(Containment.DEFAULT));
    assertEquals(List.of(), list.problems());
    assertFalse(Files.exists(escaped), "the workspace's prlimit ran on the host");
    McpToolList preload = McpToolList.list(Map.of("x", new McpServer("mcp-server-everything", List.of(), Map.of("LD_PRELOAD", "./x.so"))),
        context(Containment.DEFAULT));
    assertTrue(preload.problems().get(0).contains("env LD_PRELOAD is not passed"), preload.problems().toString());
  }

  private ToolOutput run(ToolCatalog catalog, String tool, String arguments) {
    return catalog.workspaceTool(tool).orElseThrow().execute(Arguments.parse(tool, arguments), context(Containment.DEFAULT));
  }
}
