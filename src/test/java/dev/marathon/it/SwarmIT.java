package dev.marathon.it;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.call;
import static dev.marathon.testing.ScriptedModel.finish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.activities.Json;
import dev.marathon.activities.store.CheckpointStore;
import dev.marathon.bench.SwarmBenchmark;
import dev.marathon.runtime.Connection;
import dev.marathon.runtime.MarathonHome;
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
import dev.marathon.workflows.RunOptions;
import dev.marathon.workflows.RunOutcome;
import dev.marathon.workflows.RunReport;
import dev.marathon.workflows.RunSpec;
import dev.marathon.workflows.RunState;
import dev.marathon.workflows.Swarm;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A swarm against the real dev server and worker processes: six sub-agents, three at a time, each
 * appending one line per turn to its own file. The worker is killed -9 while sub-agents run, then
 * the server and the worker together; every sub-agent must still finish, every line be written
 * exactly once, and every branch be merged into the coordinator's.
 */
class SwarmIT {
  static final int AGENTS = 6;
  static final int AGENT_TURNS = 6;

  @TempDir Path tmp;

  static ScriptedModel.Script script() {
    return script(AGENTS, AGENT_TURNS);
  }

  /** A coordinator that spawns {@code agents} sub-agents, each appending one line per turn to part-k.txt for {@code turns} turns, then collects. */
  static ScriptedModel.Script script(int agents, int turns) {
    return (turn, req) -> {
      String task = ScriptedModel.task(req);
      for (int k = 1; k <= agents; k++) {
        if (task.contains("Write part " + k + ".")) {
          return turn <= turns ? Reply.tools("part " + k + " turn " + turn, bash("echo " + turn + " >> part-" + k + ".txt; sleep 0.5"))
              : Reply.tools("done " + k, finish("part " + k + ": " + turns + " lines"));
        }
      }
      return switch (turn) {
        case 1 -> {
          List<Map<String, String>> list = new ArrayList<>();
          for (int k = 1; k <= agents; k++) list.add(Map.of("title", "Part " + k, "task", "Write part " + k + "."));
          yield Reply.tools("split the work", call("spawn_agents", Map.of("agents", list)));
        }
        case 2 -> Reply.tools("collect", call("wait_agents", Map.of()));
        default -> Reply.tools("done", finish("all parts merged"));
      };
    };
  }

  @Test
  void aSwarmSurvivesKilledWorkersAndAKilledServerAndMergesEveryBranchOnce() throws Exception {
    Path home = Files.createDirectories(tmp.resolve("home"));
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "# swarm\n"));
    try (DevServerFixture server = new DevServerFixture(Files.createDirectories(tmp.resolve("server")), "--headless").start();
        ScriptedModel model = new ScriptedModel(script())) {
      RunState state = TestRuns.state("swarm-it", repo, TestRuns.model(model.baseUrl(), 200_000), "Write every part",
          new RunOptions(600, 3600, 5, 4000, 80), Budget.UNLIMITED);
      state.spec = new RunSpec(state.spec.runId(), state.spec.title(), state.spec.repo(), state.spec.branch(), state.spec.model(),
          state.spec.options(), new Swarm(300, 3), null);
      try (Connection c = server.connect(home)) {
        new Runs(c.client()).start(state);
      }
      List<WorkerProcess> workers = new ArrayList<>();
      workers.add(WorkerProcess.start(home, server.address(), tmp.resolve("worker-1.log")));
      // Three sub-agents are at work: kill the worker in the middle of their turns.
      Eventually.get(() -> partsStarted(home) >= 3 ? true : null, Duration.ofSeconds(120), "three sub-agents at work");
      workers.get(0).kill9();
      workers.add(WorkerProcess.start(home, server.address(), tmp.resolve("worker-2.log")));
      // Later, with the queue moving: the server and the worker together.
      Eventually.get(() -> partsStarted(home) >= 5 ? true : null, Duration.ofSeconds(180), "the queued sub-agents started");
      workers.get(1).kill9();
      server.kill9();
      server.restart();
      workers.add(WorkerProcess.start(home, server.address(), tmp.resolve("worker-3.log")));

      RunReport report = Eventually.get(() -> {
        try (Connection c = server.connect(home)) {
          Runs runs = new Runs(c.client());
          return runs.describe("swarm-it").getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED
              ? runs.result("swarm-it") : null;
        }
      }, Duration.ofSeconds(300), "the swarm finishing");

      assertEquals(RunOutcome.FINISHED, report.outcome(), report.summary());
      String lines = IntStream.rangeClosed(1, AGENT_TURNS).mapToObj(Integer::toString).collect(Collectors.joining("\n"));
      for (int k = 1; k <= AGENTS; k++) {
        assertEquals(lines, GitRepos.git(repo, "show", "marathon/swarm-it:part-" + k + ".txt").strip(),
            "part " + k + ": every line once, merged into the coordinator's branch");
      }
      assertEquals(AGENTS, GitRepos.git(repo, "log", "--merges", "--format=%s", "marathon/swarm-it").lines().count());
      assertTrue(report.progress().agents().stream().allMatch(a -> a.status().equals("finished, collected")), report.progress().agents().toString());
      assertTrue(model.violations().isEmpty(), model.violations().toString());
      assertTrue(CheckpointStore.open(new MarathonHome(home).store()).verify().isEmpty(), "corrupt objects in the store");
      long checkouts;
      try (var dirs = Files.list(home.resolve("workspaces"))) {
        checkouts = dirs.filter(p -> !p.getFileName().toString().endsWith(".marathon")).count();
      }
      assertEquals(0, checkouts, "every sub-agent's and the coordinator's checkout is removed at its end");

      Launcher.Result status = Launcher.run(home, Map.of(), 120, "status", "swarm-it", "--json", "--address", server.address());
      JsonNode agents = Json.MAPPER.readTree(status.out()).path("agents");
      assertEquals(AGENTS, agents.size(), status.toString());
      assertEquals("marathon-swarm/swarm-it/swarm-it.a1", agents.get(0).path("branch").asText());
      Launcher.Result list = Launcher.run(home, Map.of(), 120, "list", "--swarm", "swarm-it", "--json", "--address", server.address());
      assertEquals(AGENTS, Json.MAPPER.readTree(list.out()).size(), list.toString());
      for (WorkerProcess w : workers) w.close();
    }
  }

  /** The swarm benchmark's short form (scripts/bench --swarm runs 300 x 10): numbers printed, sizes and counts asserted. */
  @Test
  void theSwarmBenchmarksShortForm() throws Exception {
    SwarmBenchmark bench = new SwarmBenchmark(30, 4, 8, tmp);
    Map<String, Object> r = bench.run();
    bench.print(System.out);
    assertEquals(30L, r.get("agentsFinishedAndCollected"));
    assertEquals("30", r.get("mergeCommits"));
    assertEquals(0L, r.get("checkoutsLeft"), "no checkout is left behind");
    assertTrue((Long) r.get("coordinatorMaxEventsPerRun") < 4000, r.toString());
    assertTrue((Long) r.get("coordinatorMaxHistoryBytesPerRun") < 2_000_000, r.toString());
  }

  /** How many sub-agents have written a line (their checkouts are under the workspaces directory). */
  static int partsStarted(Path home) {
    int n = 0;
    for (int k = 1; k <= AGENTS; k++) {
      if (Files.exists(home.resolve("workspaces").resolve("swarm-it.a" + k).resolve("part-" + k + ".txt"))) n++;
      else if (Files.exists(home.resolve("workspaces").resolve("swarm-it.a" + k + ".marathon").resolve("final"))) n++;
    }
    return n;
  }
}
