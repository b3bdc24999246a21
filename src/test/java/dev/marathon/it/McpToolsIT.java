package dev.marathon.it;

import static dev.marathon.testing.ScriptedModel.call;
import static dev.marathon.testing.ScriptedModel.finish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.runtime.Runs;
import dev.marathon.testing.DevServerFixture;
import dev.marathon.testing.Eventually;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.Launcher;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.TestRuns;
import dev.marathon.testing.WorkerProcess;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's mcpServers block, unchanged, in a run on the real dev server with the reference servers
 * from npm: their tools reach the model with their schemas, a call's result reaches the model and
 * the store, a file an MCP server writes is on the run's branch, the server's environment has no
 * key, a server that is down is news for the model, a listing that changes mid-run does not change
 * the run, and a worker killed -9 in the middle of a slow MCP call is replaced and the run finishes.
 */
class McpToolsIT {
  @TempDir Path tmp;

  @Test
  void aRunUsesTheUsersMcpServersAsDurableContainedToolsAndSurvivesAKillMidCall() throws Exception {
    for (String bin : List.of("mcp-server-everything", "mcp-server-filesystem")) {
      assertTrue(dev.marathon.activities.sandbox.Bubblewrap.find(bin) != null, bin + " is not installed (scripts/install-test-tools installs the MCP reference servers)");
    }
    Path home = tmp.resolve("home");
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "# mcp\n"));
    Path shift = repo.resolve(".shift"); // in the repository, which a run's sandbox can read; not in the run's clone
    Path config = Files.writeString(tmp.resolve("mcp.json"), "{\"mcpServers\": {"
        + "\"everything\": {\"command\": \"mcp-server-everything\"},"
        + "\"files\": {\"type\": \"stdio\", \"command\": \"mcp-server-filesystem\", \"args\": [\".\"]},"
        + "\"shifty\": {\"command\": \"sh\", \"args\": [\"-c\", \"if [ -e '" + shift + "' ]; then exec mcp-server-everything; else exec mcp-server-filesystem .; fi\"]},"
        + "\"down\": {\"command\": \"false\"},"
        + "\"off\": {\"command\": \"nothing\", \"disabled\": true}}}");
    List<JsonNode> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
    ScriptedModel.Script script = (turn, req) -> {
      requests.add(req);
      if (turn == 3) { // before its calls run: the shifty server now lists other tools than it did when the run began
        try {
          Files.writeString(shift, "now the shifty server lists other tools\n");
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
      return switch (turn) {
        case 1 -> Reply.tools("add and write", call("mcp__everything__get-sum", Map.of("a", 2, "b", 3)),
            call("mcp__files__write_file", Map.of("path", "notes.txt", "content", "written by an MCP server\n")));
        case 2 -> Reply.tools("env", call("mcp__everything__get-env", Map.of()));
        case 3 -> Reply.tools("slow", call("mcp__shifty__list_directory", Map.of("path", ".")),
            call("mcp__everything__trigger-long-running-operation", Map.of("duration", 8, "steps", 4)));
        default -> Reply.tools("done", finish("Used the MCP tools."));
      };
    };
    try (DevServerFixture server = new DevServerFixture(Files.createDirectories(tmp.resolve("server")), "--headless").start();
        ScriptedModel model = new ScriptedModel(script);
        var conn = server.connect(home)) {
      WorkerProcess first = WorkerProcess.start(home, server.address(), tmp.resolve("worker-1.log"));
      WorkerProcess second = null;
      try {
        Launcher.Result started = Launcher.run(home, Map.of(), 120, "run", "--repo", repo.toString(), "--task", "Use the MCP tools",
            "--id", "mcp-night", "--base-url", model.baseUrl(), "--model", "scripted-1", "--provider", "kimi", "--api-key-env",
            TestRuns.KEY_ENV, "--mcp-config", config.toString(), "--heartbeat-timeout", "5", "--detach", "--address", server.address());
        assertEquals(0, started.exit(), started.toString());
        assertTrue(started.err().contains("MCP servers down, everything, files, shifty"), started.err());

        Eventually.get(() -> model.arrivals().contains(3) ? true : null, Duration.ofMinutes(3), "turn 3");
        Thread.sleep(3_000); // the listing (a fast call) is done; the 8-second operation is under way
        first.kill9();
        second = WorkerProcess.start(home, server.address(), tmp.resolve("worker-2.log"));
        Runs runs = new Runs(conn.client());
        Eventually.get(() -> runs.describe("mcp-night").getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED ? true : null,
            Duration.ofMinutes(3), "the run finishing on the second worker");
      } finally {
        first.close();
        if (second != null) second.close();
      }

      // The tools, with their schemas, as recorded at the start: the same on every turn, the down server's not at all.
      TreeSet<String> firstTools = toolNames(requests.get(0));
      assertTrue(firstTools.containsAll(List.of("mcp__everything__get-sum", "mcp__everything__trigger-long-running-operation",
          "mcp__files__write_file", "mcp__shifty__list_directory", "bash", "finish")), firstTools.toString());
      assertFalse(firstTools.stream().anyMatch(t -> t.startsWith("mcp__down__") || t.startsWith("mcp__off__")), firstTools.toString());
      JsonNode sum = tool(requests.get(0), "mcp__everything__get-sum");
      assertEquals("number", sum.path("parameters").path("properties").path("a").path("type").asText(), sum.toString());
      assertFalse(sum.path("parameters").has("$schema"), sum.toString());
      for (JsonNode r : requests) assertEquals(firstTools, toolNames(r), "a listing that changed mid-run does not change the run");
      assertTrue(requests.get(0).path("messages").toString().contains("MCP server 'down' (false) did not start"), "the model is told of the server that is down");

      assertEquals(List.of("The sum of 2 and 3 is 5.", "Successfully wrote to notes.txt"), toolResults(requests.get(1)), "the MCP results reached the model");
      List<String> turn3 = toolResults(requests.get(2));
      String env = turn3.get(turn3.size() - 1);
      assertTrue(env.contains("HOME") && !env.contains(TestRuns.key()), "the server's environment has no key: " + env);
      JsonNode turn4 = requests.get(requests.size() - 1);
      List<String> results = toolResults(turn4);
      String slow = results.get(results.size() - 1);
      assertTrue(slow.contains("Long running operation completed"), "the slow call, made again after the kill: " + slow);
      String gone = results.get(results.size() - 2);
      assertTrue(gone.startsWith("Error:"), "a tool the server no longer has is an error the model reads: " + gone);

      assertEquals("written by an MCP server", GitRepos.git(repo, "show", "marathon/mcp-night:notes.txt"), "the server's effect is on the branch");
      Launcher.Result log = Launcher.run(home, Map.of(), 120, "log", "mcp-night", "--address", server.address());
      assertEquals(0, log.exit(), log.toString());
      assertTrue(log.out().contains("mcp__everything__get-sum") && log.out().contains("The sum of 2 and 3 is 5"), "log reads the store: " + log.out());
    }
  }

  private static TreeSet<String> toolNames(JsonNode request) {
    TreeSet<String> names = new TreeSet<>();
    for (JsonNode t : request.path("tools")) names.add(t.path("function").path("name").asText());
    return names;
  }

  private static JsonNode tool(JsonNode request, String name) {
    for (JsonNode t : request.path("tools")) if (t.path("function").path("name").asText().equals(name)) return t.path("function");
    throw new AssertionError("no tool " + name);
  }

  private static List<String> toolResults(JsonNode request) {
    List<String> results = new ArrayList<>();
    for (JsonNode m : request.path("messages")) if (m.path("role").asText().equals("tool")) results.add(m.path("content").asText());
    return results;
  }
}
