package dev.marathon.it;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.finish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.runtime.Runs;
import dev.marathon.testing.DevServerFixture;
import dev.marathon.testing.Eventually;
import dev.marathon.testing.Gate;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.Launcher;
import dev.marathon.testing.PostgresFixture;
import dev.marathon.testing.PostgresServerProcess;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.TestRuns;
import dev.marathon.testing.WorkerProcess;
import dev.marathon.workflows.RunOutcome;
import dev.marathon.workflows.RunReport;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Temporal server on a real PostgreSQL ({@code ./marathon server --postgres}), with the
 * checkpoint store in PostgreSQL too: a run on a worker process finishes, survives a kill -9 of the
 * server in the middle of it with every step done once, its record is in the database (not on the
 * worker's disk) and the CLI reads it from another home, as from another machine; the Web UI
 * answers beside the server.
 */
class PostgresServerIT {
  @TempDir Path tmp;

  @Test
  void aRunOnTheRealServerAndTheSharedStoreSurvivesTheServersDeathAndIsReadFromElsewhere() throws Exception {
    PostgresFixture pg = PostgresFixture.shared();
    String temporalDb = pg.newDatabase("temporal");
    String storeDb = pg.newDatabase("store");
    int port = PostgresServerProcess.freePort();
    Path serverLog = tmp.resolve("server.log");
    Process server = PostgresServerProcess.start(temporalDb, port, serverLog);
    String address = "127.0.0.1:" + port;

    HttpResponse<String> ui = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (port + 1000) + "/"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, ui.statusCode(), "the Web UI beside the server");

    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("log.txt", ""));
    Gate gate = new Gate((turn, req) -> turn <= 4
        ? Reply.tools("step " + turn, bash("echo " + turn + " >> log.txt")) : Reply.tools("done", finish("four lines"))).close(3);
    Map<String, String> shared = Map.of("MARATHON_STORE", storeDb);
    try (ScriptedModel model = new ScriptedModel(gate);
        WorkerProcess worker = WorkerProcess.start(tmp.resolve("worker-home"), shared, address, tmp.resolve("worker.log"))) {
      WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
      Runs runs = new Runs(WorkflowClient.newInstance(service, WorkflowClientOptions.newBuilder().setNamespace("default").build()));
      runs.start(TestRuns.state("pg-1", repo, model.baseUrl(), "Write four lines"));
      gate.awaitReached(3);

      // The server dies (kill -9 of ./marathon server; the Temporal server and the UI die with it) and comes back.
      server.destroyForcibly();
      assertTrue(server.waitFor(60, TimeUnit.SECONDS));
      Eventually.get(() -> DevServerFixture.isFree(port) ? true : null, Duration.ofSeconds(60), "the old server gone");
      server = PostgresServerProcess.start(temporalDb, port, serverLog);
      gate.open(3);

      Eventually.get(() -> runs.describe("pg-1").getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED ? true : null,
          Duration.ofMinutes(3), "the run finishing on the restarted server");
      RunReport report = runs.result("pg-1");
      assertEquals(RunOutcome.FINISHED, report.outcome(), report.summary());
      assertEquals("1\n2\n3\n4", GitRepos.git(repo, "show", "marathon/pg-1:log.txt"), "every step once, none lost with the server");
      assertTrue(model.violations().isEmpty(), model.violations().toString());

      // Another machine's CLI (its own home, nothing of the worker's) reads the run from the shared store.
      Launcher.Result log = Launcher.run(tmp.resolve("elsewhere"), shared, 180, "log", "pg-1", "--address", address);
      assertEquals(0, log.exit(), log.toString());
      assertTrue(log.out().contains("echo 3 >> log.txt") && log.out().contains("four lines"), log.out());
      service.shutdownNow();
    } finally {
      server.destroy();
      server.waitFor(30, TimeUnit.SECONDS);
    }

    // The run's record is in PostgreSQL, not on the worker's disk...
    try (Connection c = pg.connect(storeDb.substring(storeDb.lastIndexOf('/') + 1));
        ResultSet r = c.createStatement().executeQuery("SELECT count(*) FROM marathon_objects")) {
      r.next();
      assertTrue(r.getLong(1) >= 5, "a checkpoint per turn (and the tool outputs) in the shared store: " + r.getLong(1));
    }
    assertTrue(!Files.exists(tmp.resolve("worker-home/store")), "nothing in a store directory on the worker's machine");
  }
}
