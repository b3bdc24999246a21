package dev.marathon.bench;

import dev.marathon.activities.Json;
import dev.marathon.activities.store.FileCheckpointStore;
import dev.marathon.runtime.Connection;
import dev.marathon.runtime.MarathonHome;
import dev.marathon.runtime.Runs;
import dev.marathon.testing.DevServerFixture;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.PostgresFixture;
import dev.marathon.testing.PostgresServerProcess;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.TestRuns;
import dev.marathon.testing.WorkerProcess;
import dev.marathon.workflows.Budget;
import dev.marathon.workflows.RunOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The same workload on the two stacks Marathon runs on, side by side in one run: the dev server
 * (SQLite) with the directory store, and the real Temporal server on PostgreSQL with the
 * PostgreSQL store. Per tool call (a worker process, the scripted model over HTTP, real git),
 * resume after a kill -9 of the worker, and store bytes per call. {@code scripts/bench --postgres
 * [--tool-calls 400]}.
 */
public final class PostgresBenchmark {
  private final int toolCalls;
  private final Path work;
  private final RunOptions options = new RunOptions(600, 3600, MarathonBenchmark.HEARTBEAT_SECONDS, RunOptions.DEFAULTS.continueAsNewEvents(), 80);

  PostgresBenchmark(int toolCalls, Path work) {
    this.toolCalls = toolCalls;
    this.work = work;
  }

  public static void main(String[] args) throws Exception {
    int calls = 400;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--tool-calls")) calls = Integer.parseInt(args[++i]);
      else if (!args[i].equals("--postgres")) throw new IllegalArgumentException("usage: PostgresBenchmark [--tool-calls N]");
    }
    PostgresBenchmark b = new PostgresBenchmark(calls, Files.createTempDirectory("marathon-bench-pg"));
    Map<String, Map<String, Object>> results = new LinkedHashMap<>();
    try (DevServerFixture dev = new DevServerFixture(Files.createDirectories(b.work.resolve("dev")), "--headless").start()) {
      results.put("dev server + directory store", b.measure("dev", dev.address(), Map.of(), null, false));
    }
    PostgresFixture pg = PostgresFixture.shared();
    String storeUrl = pg.newDatabase("bench_store");
    int port = PostgresServerProcess.freePort();
    Process server = PostgresServerProcess.start(pg.newDatabase("bench_temporal"), port, b.work.resolve("pg-server.log"), "--headless");
    try {
      results.put("real server on PostgreSQL + PostgreSQL store", b.measure("pg", "127.0.0.1:" + port, Map.of("MARATHON_STORE", storeUrl), storeUrl, false));
      String movingStore = pg.newDatabase("bench_store");
      results.put("PostgreSQL + git URL, resumed elsewhere",
          b.measure("pgmove", "127.0.0.1:" + port, Map.of("MARATHON_STORE", movingStore), movingStore, true));
    } finally {
      server.destroy();
      server.waitFor();
    }
    System.out.println("\n" + calls + " tool calls, one worker process, 2 cores:");
    System.out.printf("%-46s %14s %14s %16s %12s%n", "", "ms/tool call", "resume ms", "store B/call", "wall s");
    for (var e : results.entrySet()) {
      Map<String, Object> r = e.getValue();
      System.out.printf("%-46s %14s %14s %16s %12s%n", e.getKey(), r.get("msPerToolCall"), r.get("resumeLatencyMs"), r.get("storeBytesPerToolCall"),
          r.get("wallSeconds"));
    }
    Path out = Path.of("target/bench");
    Files.createDirectories(out);
    Files.writeString(out.resolve("postgres-" + calls + ".json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(results));
    System.out.println("(written to target/bench/postgres-" + calls + ".json)");
  }

  /**
   * One run of {@code toolCalls} calls, killed at three quarters and resumed by a second worker;
   * with {@code moving}, on a git URL and by a worker of another home (another machine: it restores the workspace from the store).
   */
  Map<String, Object> measure(String name, String address, Map<String, String> env, String storeUrl, boolean moving) throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    Path home = work.resolve("home-" + name);
    int killAt = toolCalls * 3 / 4;
    try (ScriptedModel model = new ScriptedModel(new BenchScript(toolCalls)).keepBodies(false);
        Connection conn = Connection.open(address, "default", false, new MarathonHome(home), new PrintWriter(new StringWriter()))) {
      Runs runs = new Runs(conn.client());
      Path repo = GitRepos.create(work.resolve("repo-" + name), Map.of("README.md", "# bench\n"));
      if (moving) {
        GitRepos.git(work, "clone", "-q", "--bare", repo.toString(), work.resolve("origin-" + name + ".git").toString());
        repo = work.resolve("origin-" + name + ".git");
      }
      WorkerProcess first = WorkerProcess.start(home, env, address, work.resolve("worker-" + name + "-1.log"));
      Instant t0 = Instant.now();
      var state = TestRuns.state(name, repo, TestRuns.model(model.baseUrl(), MarathonBenchmark.WINDOW), "Make calls", options, Budget.UNLIMITED);
      if (moving) {
        state.spec = new dev.marathon.workflows.RunSpec(name, state.spec.title(), "file://" + repo, state.spec.branch(), state.spec.model(),
            state.spec.options());
      }
      runs.start(state);
      int tenth = toolCalls / 10;
      MarathonBenchmark.awaitCalls(model, tenth); // the worker started and warmed up
      Instant from = Instant.now();
      MarathonBenchmark.awaitCalls(model, killAt);
      r.put("msPerToolCall", Math.round(Duration.between(from, Instant.now()).toMillis() * 10.0 / (killAt - tenth)) / 10.0);
      first.kill9();
      Instant killed = Instant.now();
      Thread.sleep(Duration.ofSeconds(options.heartbeatSeconds() + 3).toMillis()); // the server notices the death first
      Instant started = Instant.now();
      Path secondHome = moving ? work.resolve("home-" + name + "-elsewhere") : home;
      try (WorkerProcess second = WorkerProcess.start(secondHome, env, address, work.resolve("worker-" + name + "-2.log"))) {
        Instant next = null;
        for (int i = 0; i < 120 && next == null; i++) {
          Thread.sleep(1_000);
          next = MarathonBenchmark.firstCompletionAfter(conn.client(), name, started);
        }
        if (next == null) throw new IllegalStateException("no step completed within 120 s of the second worker's start");
        r.put("resumeLatencyMs", Duration.between(started, next).toMillis());
        r.put("resumeTimeline", MarathonBenchmark.timeline(conn.client(), name, killed));
        MarathonBenchmark.awaitResult(runs, name);
      }
      r.put("wallSeconds", Duration.between(t0, Instant.now()).toSeconds());
      r.put("storeBytesPerToolCall", storeBytes(home, storeUrl) / toolCalls);
      if (!model.violations().isEmpty()) throw new AssertionError("protocol violations: " + model.violations());
    }
    return r;
  }

  /** The store's size: the objects' bytes in the directory, the tables with their TOAST and indexes in PostgreSQL. */
  static long storeBytes(Path home, String storeUrl) throws Exception {
    if (storeUrl == null) return FileCheckpointStore.open(home.resolve("store")).stats().bytes();
    try (java.sql.Connection c = PostgresFixture.shared().connect(storeUrl.substring(storeUrl.lastIndexOf('/') + 1));
        ResultSet rs = c.createStatement().executeQuery("SELECT pg_total_relation_size('marathon_objects') + pg_total_relation_size('marathon_names')")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
