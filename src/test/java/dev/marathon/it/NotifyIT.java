package dev.marathon.it;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.finish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.marathon.activities.Json;
import dev.marathon.runtime.Runs;
import dev.marathon.testing.DevServerFixture;
import dev.marathon.testing.Eventually;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.Launcher;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.TestRuns;
import dev.marathon.testing.WorkerProcess;
import dev.marathon.workflows.Budget;
import dev.marathon.workflows.NotifyTarget;
import dev.marathon.workflows.RunOptions;
import dev.marathon.workflows.RunState;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.sdk.v1.WorkflowMetadata;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Notifications against the real dev server and a real worker process: a webhook receiver on
 * localhost that is down while the run crosses 80% of its turns and pauses on its budget gets both
 * events once it is up (the deliveries were retried); the paused event's command, run as written,
 * raises the budget and the run goes on; the finished event has the summary and the Web UI link. A
 * command endpoint of the worker's config gets the same events on its standard input, without the
 * worker's key in its environment; a URL the worker's operator did not allow is refused and said in
 * the run's details, and the run is not harmed.
 */
class NotifyIT {
  @TempDir Path tmp;

  @Test
  void aRunPausedOnItsBudgetPingsARetriedWebhookAndAConfiguredCommandThenFinishes() throws Exception {
    Path home = Files.createDirectories(tmp.resolve("home"));
    Path events = tmp.resolve("command-events.txt");
    Files.writeString(home.resolve("config.json"), "{\"notifyEndpoints\": {\"desk\": {\"command\": [\"sh\", \"-c\","
        + " \"cat >> '" + events + "'; echo >> '" + events + "'; env >> '" + tmp.resolve("command-env.txt") + "'\"]}}}");
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "# notify\n"));
    int port = freePort();
    int refusedPort = freePort();
    String hook = "http://127.0.0.1:" + port + "/hooks/night";
    ScriptedModel.Script script = (turn, req) -> turn < 7
        ? Reply.tools("step " + turn, bash("echo " + turn + " >> steps.txt")) : Reply.tools("done", finish("Counted to six."));
    List<JsonNode> received = new CopyOnWriteArrayList<>();
    HttpServer receiver = null;
    try (DevServerFixture server = new DevServerFixture(Files.createDirectories(tmp.resolve("server")), "--headless").start();
        ScriptedModel model = new ScriptedModel(script);
        WorkerProcess worker = WorkerProcess.start(home, Map.of("MARATHON_NOTIFY_URLS", "http://127.0.0.1:" + port + "/hooks/"),
            server.address(), tmp.resolve("worker.log"));
        var conn = server.connect(home)) {
      Runs runs = new Runs(conn.client());
      RunOptions options = RunOptions.DEFAULTS.withNotify(List.of(new NotifyTarget(hook, null), new NotifyTarget("desk", null),
          new NotifyTarget("http://127.0.0.1:" + refusedPort + "/internal", null)));
      RunState start = TestRuns.state("nightly", repo, model.baseUrl(), "Count to six", options, new Budget(5, null, null, null, null));
      runs.start(start);

      // The receiver is down while the run crosses 80% of its turns and pauses on its budget.
      Eventually.get(() -> "paused".equals(runs.describe("nightly").getTypedSearchAttributes()
          .get(dev.marathon.workflows.MarathonSearchAttributes.PHASE)) ? true : null, Duration.ofMinutes(2), "paused on its budget");
      assertTrue(received.isEmpty());
      receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
      receiver.createContext("/hooks/", exchange -> {
        received.add(Json.MAPPER.readTree(exchange.getRequestBody()));
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
      });
      receiver.start();
      JsonNode paused = Eventually.get(() -> find(received, "paused"), Duration.ofMinutes(2), "the paused event, retried until the receiver is up");
      // Each event retries on its own backoff: the earlier near_limit may be waiting on a longer interval than paused.
      JsonNode near = Eventually.get(() -> find(received, "near_limit"), Duration.ofMinutes(2), "the near_limit event, retried too");
      assertTrue(near != null && near.path("cause").asText().equals("turns") && near.path("reason").asText().equals("4 of 5 turns used"),
          "80% of the turns: " + received);
      assertEquals("budget", paused.path("cause").asText());
      assertTrue(paused.path("reason").asText().contains("turn budget reached (5 of 5)"), paused.toString());
      assertEquals("nightly", paused.path("run_id").asText());
      assertEquals("marathon/nightly", paused.path("branch").asText());
      assertEquals(repo.toString(), paused.path("repository").asText());
      assertEquals(5, paused.path("turns").asInt());
      String next = paused.path("next").asText();
      assertTrue(next.startsWith("./marathon budget nightly --max-turns 15"), next);

      // The command the event gives, as written, makes the run go on.
      List<String> command = new ArrayList<>(Arrays.asList(next.substring("./marathon ".length(), next.indexOf(" (or")).split(" ")));
      command.addAll(List.of("--address", server.address()));
      Launcher.Result raised = Launcher.run(home, Map.of(), 60, command.toArray(String[]::new));
      assertEquals(0, raised.exit(), raised.toString());
      ReportIT.awaitStatus(runs, "nightly", WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);

      JsonNode ended = find(received, "ended");
      assertTrue(ended != null, "the end is delivered before the run closes: " + received);
      assertEquals("finished", ended.path("outcome").asText());
      assertEquals("Counted to six.", ended.path("summary").asText());
      assertEquals(7, ended.path("turns").asInt());
      assertTrue(ended.path("web_ui").asText().endsWith("/namespaces/default/workflows/nightly"), ended.toString());
      assertEquals("./marathon diff nightly", ended.path("next").asText());
      assertEquals(3, received.stream().map(e -> e.path("event_id").asText()).distinct().count(), "three events: " + received);

      String fromCommand = Files.readString(events);
      for (String event : List.of("\"event\":\"near_limit\"", "\"event\":\"paused\"", "\"event\":\"ended\"")) {
        assertTrue(fromCommand.contains(event), "the command endpoint got " + event + ": " + fromCommand);
      }
      String env = Files.readString(tmp.resolve("command-env.txt"));
      assertFalse(env.contains(TestRuns.key()), "the command's environment has no key");
      assertTrue(env.contains("MARATHON_EVENT=ended") && env.contains("MARATHON_RUN_ID=nightly"), env);

      RunState end = runs.typed("nightly").state();
      RunState inResult = runs.result("nightly").state(); // what log, diff and export of an ended run read: no replay
      assertEquals(end.conversation.contextRef, inResult.conversation.contextRef);
      assertEquals(end.workspaceRef, inResult.workspaceRef);
      assertEquals(6, end.notifications.delivered, "two endpoints × three events");
      assertEquals(3, end.notifications.problems.size(), "the refused URL, once per event: " + end.notifications.problems);
      assertTrue(end.notifications.problems.get(0).contains("this worker does not post to http://127.0.0.1:" + refusedPort + "/…")
          && end.notifications.problems.get(0).contains("MARATHON_NOTIFY_URLS"), end.notifications.problems.toString());
      assertFalse(String.join("\n", end.notifications.problems).contains("/internal"), "a URL is shown by its host only");
      String details = runs.stub("nightly").query("__temporal_workflow_metadata", WorkflowMetadata.class).getCurrentDetails();
      assertTrue(details.contains("notifications: 6 delivered") && details.contains("not delivered"), details);
      assertEquals("1\n2\n3\n4\n5\n6", GitRepos.git(repo, "show", "marathon/nightly:steps.txt"), "the run did its work");
    } finally {
      if (receiver != null) receiver.stop(0);
    }
  }

  private static JsonNode find(List<JsonNode> received, String event) {
    for (JsonNode e : received) if (event.equals(e.path("event").asText())) return e;
    return null;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
