package dev.marathon.it;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.finish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.activities.FileTrees;
import dev.marathon.runtime.Runs;
import dev.marathon.testing.Eventually;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.PostgresFixture;
import dev.marathon.testing.PostgresServerProcess;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.TestRuns;
import dev.marathon.testing.WorkerProcess;
import dev.marathon.workflows.Budget;
import dev.marathon.workflows.RunOptions;
import dev.marathon.workflows.RunOutcome;
import dev.marathon.workflows.RunReport;
import dev.marathon.workflows.RunSpec;
import dev.marathon.workflows.RunState;
import dev.marathon.workflows.Swarm;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two "machines" that share nothing but the Temporal server (the real one, on PostgreSQL), the
 * PostgreSQL checkpoint store and a git remote: each worker has its own {@code MARATHON_HOME}, its
 * own workspaces, its own clone of the origin. A worker is killed mid-step and its whole home
 * deleted, as if its machine were gone; the other finishes the run from the snapshots in the store,
 * every workspace effect once, and pushes the branch to the origin. Then a swarm of 20 agents on
 * both, one killed mid-swarm.
 */
class TwoMachinesIT {
  static final RunOptions OPTIONS = new RunOptions(600, 3600, 5, 4000, 80);

  @TempDir static Path shared;
  static Process server;
  static String address;
  static String store;
  static WorkflowServiceStubs service;
  static Runs runs;

  @TempDir Path tmp;

  @BeforeAll
  static void startServer() throws Exception {
    PostgresFixture pg = PostgresFixture.shared();
    int port = PostgresServerProcess.freePort();
    server = PostgresServerProcess.start(pg.newDatabase("temporal"), port, shared.resolve("server.log"));
    address = "127.0.0.1:" + port;
    store = pg.newDatabase("store");
    service = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
    runs = new Runs(WorkflowClient.newInstance(service, WorkflowClientOptions.newBuilder().setNamespace("default").build()));
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (service != null) service.shutdownNow();
    if (server != null) {
      server.destroy();
      server.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** A bare repository as the git remote, with one commit. */
  String origin(Map<String, String> files) throws Exception {
    Path seed = GitRepos.create(tmp.resolve("seed"), files);
    Path origin = tmp.resolve("origin.git");
    GitRepos.git(tmp, "clone", "-q", "--bare", seed.toString(), origin.toString());
    return "file://" + origin;
  }

  WorkerProcess worker(String name) throws Exception {
    return WorkerProcess.start(tmp.resolve(name), Map.of("MARATHON_STORE", store), address, tmp.resolve(name + ".log"));
  }

  RunReport finished(String id, Duration within) {
    return Eventually.get(() -> runs.describe(id).getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED
        ? runs.result(id) : null, within, "run " + id + " finishing");
  }

  @Test
  void aRunWhoseMachineIsLostMidStepFinishesOnTheOtherMachineWithEveryEffectOnce() throws Exception {
    // The repository's setup command builds what snapshots leave out (an ignored build/): it runs once on each machine.
    String url = origin(Map.of("log.txt", "", ".gitignore", "build/\n",
        ".marathon/config.json", "{\"setup\": \"mkdir -p build && echo ran >> build/setup-runs.txt\"}"));
    AtomicLong turnFourAsked = new AtomicLong();
    // Turn 3's command hangs on machine A only (its workspace is under A's home): A dies in the middle of it.
    ScriptedModel.Script script = (turn, req) -> {
      if (turn == 4) turnFourAsked.compareAndSet(0, System.nanoTime());
      if (turn == 3) return Reply.tools("step 3", bash("echo 3 >> log.txt; case \"$HOME\" in *machine-a*) sleep 90;; esac"));
      if (turn == 5) return Reply.tools("step 5", bash("echo 5 >> log.txt; wc -l < build/setup-runs.txt | tr -d ' ' > setup-runs-here.txt"));
      return turn <= 4 ? Reply.tools("step " + turn, bash("echo " + turn + " >> log.txt")) : Reply.tools("done", finish("five lines"));
    };
    try (ScriptedModel model = new ScriptedModel(script)) {
      WorkerProcess a = worker("machine-a");
      RunState state = RunState.start(new RunSpec("move-1", "Write five lines", url, "marathon/move-1",
          TestRuns.model(model.baseUrl(), 200_000), OPTIONS), "Write five lines", Budget.UNLIMITED);
      runs.start(state);
      Path aLog = tmp.resolve("machine-a/workspaces/move-1/log.txt");
      Eventually.get(() -> Files.exists(aLog) && read(aLog).contains("1") ? true : null, Duration.ofMinutes(3), "the run under way on A");
      // B joins as a warm standby: the run stays with A, which holds its workspace (its workflow task is
      // sticky to A, and A takes the activities it schedules itself), until A dies.
      try (WorkerProcess b = worker("machine-b")) {
        Eventually.get(() -> read(aLog).contains("3") ? true : null, Duration.ofMinutes(3), "step 3 under way on A, not moved to B");
        a.killMachine();
        long killed = System.nanoTime();
        java.time.LocalTime killedAt = java.time.LocalTime.now();
        FileTrees.delete(tmp.resolve("machine-a")); // the machine is gone, and its disk with it
        RunReport report = finished("move-1", Duration.ofMinutes(3));
        long moved = turnFourAsked.get() - killed;
        String receivedLine = Files.readString(b.log()).lines().filter(l -> l.contains("received from the shared store")).findFirst().orElse("");
        double restored = receivedLine.length() > 12
            ? Duration.between(killedAt, java.time.LocalTime.parse(receivedLine.substring(0, 12))).toMillis() / 1e3 : Double.NaN;
        System.out.printf("[move] worker A killed -> B has restored the workspace: %.1f s (the step's heartbeat timeout is %d s);"
            + " -> step 3 done again on B and the next model call asked: %.1f s (the run's workflow task waits out its sticky queue on the dead"
            + " worker, 5 s)%n", restored, OPTIONS.heartbeatSeconds(), moved / 1e9);
        assertEquals(RunOutcome.FINISHED, report.outcome(), report.summary());
        Path origin = Path.of(url.substring("file://".length()));
        assertEquals("1\n2\n3\n4\n5", GitRepos.git(origin, "show", "marathon/move-1:log.txt"),
            "every step's effect once, the one A died in included; the branch is on the origin");
        assertEquals("1", GitRepos.git(origin, "show", "marathon/move-1:setup-runs-here.txt"),
            "B ran the setup command once for its new work tree; A's ignored build/ did not travel");
        assertTrue(model.violations().isEmpty(), model.violations().toString());
        long received = Files.readString(b.log()).lines().filter(l -> l.contains("received from the shared store")).count();
        assertEquals(1, received, "B restored the run from the store once, when it took it over, and held it after");
        assertFalse(Files.readString(a.log()).contains("received from the shared store"), "A never had to restore: the steps stayed with it");
        assertFalse(Files.exists(tmp.resolve("machine-b/store")), "no store on B's disk");
        assertFalse(Files.exists(tmp.resolve("machine-a")), "nothing of A came back");
      }
    }
  }

  @Test
  void aSwarmOfTwentySpreadsOverTwoMachinesAndLosesNothingWhenOneDies() throws Exception {
    int agents = 20;
    int agentTurns = 3;
    String url = origin(Map.of("README.md", "# swarm\n"));
    ScriptedModel.Script script = SwarmIT.script(agents, agentTurns);
    try (ScriptedModel model = new ScriptedModel(script)) {
      WorkerProcess a = worker("machine-a");
      WorkerProcess b = worker("machine-b");
      RunState state = RunState.start(new RunSpec("swarm-2", "Write every part", url, "marathon/swarm-2",
          TestRuns.model(model.baseUrl(), 200_000), OPTIONS, new Swarm(300, 6), null), "Write every part", Budget.UNLIMITED);
      runs.start(state);
      Eventually.get(() -> agentsOn("machine-a") >= 3 && agentsOn("machine-b") >= 1 ? true : null, Duration.ofMinutes(4),
          "sub-agents at work on both machines");
      int onA = agentsOn("machine-a");
      a.killMachine();
      FileTrees.delete(tmp.resolve("machine-a"));
      try (b) {
        RunReport report = finished("swarm-2", Duration.ofMinutes(8));
        assertEquals(RunOutcome.FINISHED, report.outcome(), report.summary());
        Path origin = Path.of(url.substring("file://".length()));
        String lines = IntStream.rangeClosed(1, agentTurns).mapToObj(Integer::toString).collect(Collectors.joining("\n"));
        for (int k = 1; k <= agents; k++) {
          assertEquals(lines, GitRepos.git(origin, "show", "marathon/swarm-2:part-" + k + ".txt").strip(), "part " + k + ": every line once");
        }
        assertEquals(agents, GitRepos.git(origin, "log", "--merges", "--format=%s", "marathon/swarm-2").lines().count(), "each collected once");
        assertTrue(report.progress().agents().stream().allMatch(x -> x.status().equals("finished, collected")), report.progress().agents().toString());
        long received = Files.readString(b.log()).lines().filter(l -> l.contains("received from the shared store")).count();
        System.out.printf("[swarm] %d agents: %d started on machine A before it died, %d on machine B; B restored %d snapshots from the store%n",
            agents, onA, agentsOn("machine-b"), received);
        assertTrue(onA >= 1 && agentsOn("machine-b") >= 1, "both machines did work");
        assertTrue(model.violations().isEmpty(), model.violations().toString());
      }
    }
  }

  /** How many sub-agents' workspaces a machine has made (Marathon's directory of each stays until gc). */
  int agentsOn(String machine) {
    Path dir = tmp.resolve(machine).resolve("workspaces");
    if (!Files.isDirectory(dir)) return 0;
    try (Stream<Path> all = Files.list(dir)) {
      return (int) all.map(p -> p.getFileName().toString()).filter(n -> n.matches("swarm-2\\.a[0-9]+\\.marathon")).count();
    } catch (java.io.IOException e) {
      return 0; // the machine's directory is being deleted
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      return "";
    }
  }
}
