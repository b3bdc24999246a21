package dev.marathon.bench;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.call;
import static dev.marathon.testing.ScriptedModel.finish;

import dev.marathon.activities.Json;
import dev.marathon.runtime.Connection;
import dev.marathon.runtime.HistoryChain;
import dev.marathon.runtime.Runs;
import dev.marathon.testing.DevServerFixture;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.TestRuns;
import dev.marathon.testing.WorkerProcess;
import dev.marathon.workflows.Budget;
import dev.marathon.workflows.RunOptions;
import dev.marathon.workflows.RunReport;
import dev.marathon.workflows.RunSpec;
import dev.marathon.workflows.RunState;
import dev.marathon.workflows.Swarm;
import io.temporal.common.WorkflowExecutionHistory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The swarm benchmark ({@code scripts/bench --swarm}): a coordinator spawns N sub-agents of T
 * scripted turns each (T-1 bash steps, then finish), P at a time, against the real dev server and
 * a real worker process; next to it, in the same invocation, one ordinary run making the same
 * kind of steps. Prints wall time, the cost per tool call of both and their ratio, the worker's
 * heap, the coordinator's history, and what is left on disk.
 */
public final class SwarmBenchmark {
  final int agents;
  final int turns;
  final int parallel;
  final Path work;
  final Map<String, Object> results = new LinkedHashMap<>();
  static final RunOptions OPTIONS = new RunOptions(600, 3600, 10, 4000, 80);

  public SwarmBenchmark(int agents, int turns, int parallel, Path work) {
    this.agents = agents;
    this.turns = turns;
    this.parallel = parallel;
    this.work = work;
  }

  public static void main(String[] args) throws Exception {
    int agents = 300;
    int turns = 10;
    int parallel = 16;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--swarm" -> { }
        case "--agents" -> agents = Integer.parseInt(args[++i]);
        case "--turns" -> turns = Integer.parseInt(args[++i]);
        case "--parallel" -> parallel = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("usage: SwarmBenchmark [--agents N] [--turns T] [--parallel P]");
      }
    }
    SwarmBenchmark b = new SwarmBenchmark(agents, turns, parallel, Files.createTempDirectory("marathon-swarm-bench"));
    b.run();
    b.print(System.out);
    Path out = Path.of("target/bench");
    Files.createDirectories(out);
    Files.writeString(out.resolve("swarm-" + agents + "x" + turns + ".json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(b.results));
  }

  /** Sub-agents write one line per turn to their own file; the coordinator spawns them all, waits, finishes. */
  ScriptedModel.Script script() {
    return (turn, req) -> {
      String task = ScriptedModel.task(req);
      int at = task.indexOf("Write file f-");
      if (at >= 0) {
        String name = task.substring(at + 11, task.indexOf(".txt", at) + 4);
        return turn < turns ? Reply.tools("step " + turn, bash("echo " + turn + " >> " + name)) : Reply.tools("done", finish(name + " written"));
      }
      if (task.contains("Single run")) {
        return turn < agents ? Reply.tools("step " + turn, bash("echo " + turn + " >> single.txt")) : Reply.tools("done", finish("done"));
      }
      return switch (turn) {
        case 1 -> {
          List<Map<String, String>> list = new ArrayList<>();
          for (int k = 1; k <= agents; k++) list.add(Map.of("title", "File " + k, "task", "Write file f-" + k + ".txt, one line per turn."));
          yield Reply.tools("split", call("spawn_agents", Map.of("agents", list)));
        }
        case 2 -> Reply.tools("collect", call("wait_agents", Map.of()));
        default -> Reply.tools("done", finish("all files"));
      };
    };
  }

  public Map<String, Object> run() throws Exception {
    Path home = Files.createDirectories(work.resolve("home"));
    try (DevServerFixture server = new DevServerFixture(Files.createDirectories(work.resolve("server")), "--headless").start();
        ScriptedModel model = new ScriptedModel(script()).keepBodies(false);
        Connection conn = server.connect(home)) {
      Runs runs = new Runs(conn.client());
      WorkerProcess worker = WorkerProcess.start(home, server.address(), work.resolve("worker.log"));
      try {
        // One ordinary run first: the per-call cost of a single agent on this machine, now.
        Path single = GitRepos.create(work.resolve("repo-single"), Map.of("README.md", "# single\n"));
        long t0 = System.nanoTime();
        runs.start(TestRuns.state("single", single, TestRuns.model(model.baseUrl(), 200_000), "Single run", OPTIONS, Budget.UNLIMITED));
        RunReport one = MarathonBenchmark.awaitResult(runs, "single");
        double singleSeconds = (System.nanoTime() - t0) / 1e9;
        results.put("singleRunToolCalls", one.progress().toolCalls());
        results.put("singleMsPerToolCall", MarathonBenchmark.round(singleSeconds * 1000 / one.progress().toolCalls()));

        Path repo = GitRepos.create(work.resolve("repo"), Map.of("README.md", "# swarm\n"));
        RunState state = TestRuns.state("swarm", repo, TestRuns.model(model.baseUrl(), 200_000), "Coordinate", OPTIONS, Budget.UNLIMITED);
        state.spec = new RunSpec("swarm", state.spec.title(), state.spec.repo(), state.spec.branch(), state.spec.model(), OPTIONS,
            new Swarm(Math.max(agents, 1), parallel), null);
        long t1 = System.nanoTime();
        runs.start(state);
        double peakHeap = 0;
        while (!done(runs)) {
          Thread.sleep(5_000);
          peakHeap = Math.max(peakHeap, MarathonBenchmark.heapMb(worker));
        }
        RunReport report = runs.result("swarm");
        double swarmSeconds = (System.nanoTime() - t1) / 1e9;
        int calls = report.progress().toolCalls();
        for (var a : report.progress().agents()) calls += a.toolCalls();
        results.put("agents", agents);
        results.put("turnsPerAgent", turns);
        results.put("parallel", parallel);
        results.put("outcome", report.outcome());
        results.put("agentsFinishedAndCollected", report.progress().agents().stream().filter(a -> a.status().equals("finished, collected")).count());
        results.put("mergeCommits", GitRepos.git(repo, "rev-list", "--merges", "--count", "marathon/swarm").strip());
        results.put("swarmWallSeconds", MarathonBenchmark.round(swarmSeconds));
        results.put("swarmToolCalls", calls);
        double swarmMs = swarmSeconds * 1000 / calls;
        results.put("swarmMsPerToolCall", MarathonBenchmark.round(swarmMs));
        results.put("swarmToSingleMsPerCallRatio", MarathonBenchmark.round(swarmMs / (singleSeconds * 1000 / one.progress().toolCalls())));
        results.put("workerPeakHeapMb", peakHeap);
        results.put("workerHeapAfterMb", MarathonBenchmark.heapMb(worker));
        List<WorkflowExecutionHistory> chain = HistoryChain.fetch(conn.client(), "swarm");
        long events = 0;
        long bytes = 0;
        for (WorkflowExecutionHistory h : chain) {
          events = Math.max(events, h.getEvents().size());
          bytes = Math.max(bytes, h.getHistory().getSerializedSize());
        }
        results.put("coordinatorRuns", chain.size());
        results.put("coordinatorMaxEventsPerRun", events);
        results.put("coordinatorMaxHistoryBytesPerRun", bytes);
        Path workspaces = home.resolve("workspaces");
        results.put("workspacesDiskMb", MarathonBenchmark.round(diskBytes(workspaces) / 1e6));
        try (Stream<Path> dirs = Files.list(workspaces)) {
          results.put("checkoutsLeft", dirs.filter(p -> !p.getFileName().toString().endsWith(".marathon")).count());
        }
        if (!model.violations().isEmpty()) throw new AssertionError("protocol violations: " + model.violations());
      } finally {
        worker.close();
      }
    }
    return results;
  }

  static boolean done(Runs runs) {
    return runs.describe("swarm").getStatus() != io.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
  }

  static long diskBytes(Path dir) throws java.io.IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  public void print(java.io.PrintStream out) {
    out.printf(Locale.ROOT, "%nSwarm benchmark: %d sub-agents x %d turns, %d at once, real Temporal dev server (SQLite)%n", agents, turns, parallel);
    results.forEach((k, v) -> out.printf(Locale.ROOT, "  %-36s %s%n", k, v));
  }
}
