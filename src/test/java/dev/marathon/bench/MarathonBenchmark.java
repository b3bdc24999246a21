package dev.marathon.bench;

import dev.marathon.activities.Json;
import dev.marathon.activities.store.FileCheckpointStore;
import dev.marathon.runtime.Connection;
import dev.marathon.runtime.HistoryChain;
import dev.marathon.runtime.MarathonHome;
import dev.marathon.runtime.Runs;
import dev.marathon.runtime.WorkerHost;
import dev.marathon.testing.DevServerFixture;
import dev.marathon.testing.Eventually;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.TestRuns;
import dev.marathon.testing.WorkerProcess;
import dev.marathon.workflows.Budget;
import dev.marathon.workflows.RunOptions;
import dev.marathon.workflows.RunReport;
import dev.marathon.workflows.RunState;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.worker.WorkerFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The marathon horizon, measured: a scripted agent makes N tool calls (4 a turn) against the real
 * dev server. Prints history and store sizes, worker heap, resume latency after kill -9, and (with
 * {@code --ratios}) the per-step cost next to a bare Temporal activity step and to the same loop
 * without Temporal, all in one invocation. {@code scripts/bench} runs it; see the README.
 */
public final class MarathonBenchmark {
  static final int HEARTBEAT_SECONDS = 10;
  /** A window small enough that the run compacts its context now and then, as long runs do. */
  static final long WINDOW = 32_000;

  final int toolCalls;
  final Path work;
  final RunOptions options;
  final Map<String, Object> results = new LinkedHashMap<>();

  /**
   * @param continueAsNewEvents Marathon's own threshold; 4,000 by default, lower in CI so that a
   *     short run still makes a chain
   */
  MarathonBenchmark(int toolCalls, Path work, int continueAsNewEvents) {
    this.toolCalls = toolCalls;
    this.work = work;
    this.options = new RunOptions(600, 3600, HEARTBEAT_SECONDS, continueAsNewEvents, 80);
  }

  public static void main(String[] args) throws Exception {
    int calls = 4000;
    boolean ratios = false;
    int concurrent = 0;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--tool-calls")) calls = Integer.parseInt(args[++i]);
      else if (args[i].equals("--ratios")) ratios = true;
      else if (args[i].equals("--concurrent")) concurrent = Integer.parseInt(args[++i]);
      else throw new IllegalArgumentException("usage: MarathonBenchmark [--tool-calls N] [--ratios] [--concurrent RUNS]");
    }
    MarathonBenchmark b = new MarathonBenchmark(calls, Files.createTempDirectory("marathon-bench"), RunOptions.DEFAULTS.continueAsNewEvents());
    if (concurrent > 0) {
      b.concurrentOnly(concurrent);
      b.print(System.out);
      return;
    }
    b.run(ratios);
    b.print(System.out);
    Path out = Path.of("target/bench");
    Files.createDirectories(out);
    Files.writeString(out.resolve("marathon-" + calls + ".json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(b.results));
    System.out.println("\n(written to target/bench/marathon-" + calls + ".json)");
  }

  void run(boolean ratios) throws Exception {
    try (DevServerFixture server = new DevServerFixture(Files.createDirectories(work.resolve("server")), "--headless").start()) {
      if (ratios) ratios(server);
      horizon(server);
      resume(server);
    }
  }

  void concurrentOnly(int runs) throws Exception {
    try (DevServerFixture server = new DevServerFixture(Files.createDirectories(work.resolve("server")), "--headless").start()) {
      concurrent(server, runs);
    }
  }

  /**
   * {@code n} runs at once on one worker process (40 tool calls each): the worker's live heap
   * (after a full GC), sampled every 2 s while they run, at its peak and after they are done.
   */
  void concurrent(DevServerFixture server, int n) throws Exception {
    Path home = work.resolve("home-concurrent");
    int calls = 40;
    try (ScriptedModel model = new ScriptedModel(new BenchScript(calls)).keepBodies(false); Connection conn = connect(server, home);
        WorkerProcess worker = WorkerProcess.start(home, server.address(), work.resolve("worker-concurrent.log"))) {
      Runs runs = new Runs(conn.client());
      long t0 = System.nanoTime();
      for (int i = 1; i <= n; i++) runs.start(state("concurrent-" + i, model, calls));
      double peak = 0;
      int done = 0;
      while (done < n) {
        Thread.sleep(2_000);
        peak = Math.max(peak, heapMb(worker));
        done = 0;
        for (int i = 1; i <= n; i++) {
          if (runs.describe("concurrent-" + i).getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) done++;
        }
      }
      results.put("concurrentRuns", n);
      results.put("concurrentToolCalls", n * calls);
      results.put("concurrentWallSeconds", round((System.nanoTime() - t0) / 1e9));
      results.put("concurrentPeakHeapMb", peak);
      results.put("concurrentHeapAfterMb", heapMb(worker));
      results.put("concurrentWorkerPeakRssMb", round(PeersBenchmark.peakRssMb(worker.pid())));
    }
  }

  Map<String, Object> results() {
    return results;
  }

  // ---- per-step cost, side by side, in this JVM -----------------------------------------------

  void ratios(DevServerFixture server) throws Exception {
    Path home = work.resolve("home-ratios");
    try (Connection conn = connect(server, home); WorkerHost marathon = WorkerHost.start(conn.client(), new MarathonHome(home))) {
      WorkerFactory bare = WorkerFactory.newInstance(conn.client());
      bare.newWorker(BareWorkflow.TASK_QUEUE).registerWorkflowImplementationTypes(BareWorkflow.Impl.class);
      bare.getWorker(BareWorkflow.TASK_QUEUE).registerActivitiesImplementations(new BareWorkflow.NoOpImpl());
      bare.start();
      // Warm up every path first: JIT, connections, git's caches.
      bareRun(conn.client(), "warm-bare", 300);
      inProcess("warm-inproc", 300);
      marathonRun(conn, home, "warm-marathon", 300);

      double bareMs = bareRun(conn.client(), "bare", toolCalls) / toolCalls;
      double inProcessMs = inProcess("inproc", toolCalls) / toolCalls;
      double marathonMs = marathonRun(conn, home, "timed", toolCalls) / toolCalls;
      bare.shutdown();
      storeWithBulkyNotes();
      results.put("bareActivityStepMs", round(bareMs));
      results.put("inProcessStepMs", round(inProcessMs));
      results.put("marathonStepMs", round(marathonMs));
      results.put("marathonOverBare", round(marathonMs / bareMs));
      results.put("marathonOverheadOverBare", round((marathonMs - inProcessMs) / bareMs));
    }
  }

  double bareRun(WorkflowClient client, String id, int n) {
    long t0 = System.nanoTime();
    client.newWorkflowStub(BareWorkflow.class, WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(BareWorkflow.TASK_QUEUE).build()).run(n, 0);
    client.newUntypedWorkflowStub(id).getResult(Integer.class); // follows continue-as-new
    return (System.nanoTime() - t0) / 1e6;
  }

  double inProcess(String id, int n) throws Exception {
    try (ScriptedModel model = new ScriptedModel(new BenchScript(n)).keepBodies(false)) {
      RunState state = state(id, model, n);
      long t0 = System.nanoTime();
      InProcessLoop.run(state, work.resolve("home-" + id));
      return (System.nanoTime() - t0) / 1e6;
    }
  }

  /** Store growth when files and outputs are a few KB (the default notes are a few bytes). */
  void storeWithBulkyNotes() throws Exception {
    int n = 200;
    try (ScriptedModel model = new ScriptedModel(new BenchScript(n, 4096)).keepBodies(false)) {
      InProcessLoop.run(state("bulky", model, n), work.resolve("home-bulky"));
    }
    FileCheckpointStore.Stats s = FileCheckpointStore.open(work.resolve("home-bulky").resolve("store")).stats();
    results.put("storeBytesPerToolCallWith4KbNotes", s.bytes() / n);
    results.put("storeObjectsPerToolCallWith4KbNotes", round((double) s.objects() / n));
  }

  double marathonRun(Connection conn, Path home, String id, int n) throws Exception {
    try (ScriptedModel model = new ScriptedModel(new BenchScript(n)).keepBodies(false)) {
      long t0 = System.nanoTime();
      Runs runs = new Runs(conn.client());
      runs.start(state(id, model, n));
      runs.result(id);
      return (System.nanoTime() - t0) / 1e6;
    }
  }

  // ---- sizes and heap, with a real worker process ---------------------------------------------

  void horizon(DevServerFixture server) throws Exception {
    Path home = work.resolve("home-horizon");
    BenchScript script = new BenchScript(toolCalls);
    try (ScriptedModel model = new ScriptedModel(script).keepBodies(false); Connection conn = connect(server, home)) {
      Runs runs = new Runs(conn.client());
      WorkerProcess worker = WorkerProcess.start(home, server.address(), work.resolve("worker-horizon.log"));
      try {
        long t0 = System.nanoTime();
        runs.start(state("horizon", model, toolCalls));
        int tenth = toolCalls / 10;
        awaitCalls(model, tenth);
        results.put("heapAfter" + tenth + "StepsMb", heapMb(worker));
        results.put("storeBytesAfter" + tenth + "Steps", FileCheckpointStore.open(home.resolve("store")).stats().bytes());
        awaitCalls(model, toolCalls);
        results.put("heapAfter" + toolCalls + "StepsMb", heapMb(worker));
        RunReport report = awaitResult(runs, "horizon");
        results.put("wallSeconds", round((System.nanoTime() - t0) / 1e9));
        results.put("toolCalls", report.progress().toolCalls());
        results.put("turns", report.progress().turn());
        results.put("compactions", report.progress().compactions());
        histories(conn.client(), "horizon");
        store(home.resolve("store"));
        if (!model.violations().isEmpty()) throw new AssertionError("protocol violations: " + model.violations());
      } finally {
        worker.close();
      }
    }
  }

  void histories(WorkflowClient client, String id) {
    List<WorkflowExecutionHistory> chain = HistoryChain.fetch(client, id);
    long maxEvents = 0;
    long maxBytes = 0;
    long maxPayload = 0;
    for (WorkflowExecutionHistory h : chain) {
      maxEvents = Math.max(maxEvents, h.getEvents().size());
      maxBytes = Math.max(maxBytes, h.getHistory().getSerializedSize());
      for (HistoryEvent e : h.getEvents()) {
        for (var p : HistoryChain.payloads(e)) maxPayload = Math.max(maxPayload, p.getSerializedSize());
      }
    }
    results.put("runsInChain", chain.size());
    results.put("eventsPerToolCall", round((double) chain.stream().mapToLong(h -> h.getEvents().size()).sum() / toolCalls));
    results.put("maxEventsPerRun", maxEvents);
    results.put("maxHistoryBytesPerRun", maxBytes);
    results.put("largestPayloadBytes", maxPayload);
  }

  /**
   * Store bytes against unique content: appended segments and blobs are new content written once;
   * compaction roots copy the kept recent turns (bounded by the window) on purpose.
   */
  void store(Path dir) throws IOException {
    long unique = 0;
    long compactionCopies = 0;
    long total = 0;
    long objects = 0;
    try (Stream<Path> files = Files.walk(dir.resolve("objects"))) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        objects++;
        long size = Files.size(f);
        total += size;
        if (isCompactionRoot(f)) compactionCopies += size;
        else unique += size;
      }
    }
    results.put("storeBytes", total);
    results.put("storeUniqueContentBytes", unique);
    results.put("storeCompactionCopyBytes", compactionCopies);
    results.put("storeBytesPerToolCall", total / toolCalls);
    results.put("storeObjectsPerToolCall", round((double) objects / toolCalls));
  }

  static boolean isCompactionRoot(Path f) throws IOException {
    byte[] bytes = Files.readAllBytes(f);
    if (bytes.length == 0 || bytes[0] != '{') return false;
    try {
      var node = Json.MAPPER.readTree(bytes);
      return node.has("messages") && node.path("compactedFrom").isTextual();
    } catch (IOException notJson) {
      return false;
    }
  }

  // ---- resume latency after kill -9 -----------------------------------------------------------

  void resume(DevServerFixture server) throws Exception {
    Path home = work.resolve("home-resume");
    int killAt = toolCalls * 3 / 4;
    try (ScriptedModel model = new ScriptedModel(new BenchScript(toolCalls)).keepBodies(false); Connection conn = connect(server, home)) {
      Runs runs = new Runs(conn.client());
      WorkerProcess first = WorkerProcess.start(home, server.address(), work.resolve("worker-resume-1.log"));
      runs.start(state("resume", model, toolCalls));
      awaitCalls(model, killAt);
      first.kill9();
      Instant killed = Instant.now();
      // Let the server notice the death (heartbeat and sticky-queue timeouts), so what is timed
      // next is the resume itself: process start, history replay, workspace check, next step.
      // Meanwhile a CLI command, as a user would run one (and the launcher's class-data sharing
      // archive is surely made before the worker that is timed starts).
      dev.marathon.testing.Launcher.run(home, Map.of(), 120, "list", "--address", server.address());
      Thread.sleep(Math.max(0, Duration.ofSeconds(options.heartbeatSeconds() + 3).toMillis() - Duration.between(killed, Instant.now()).toMillis()));
      Instant started = Instant.now();
      try (WorkerProcess second = WorkerProcess.start(home, server.address(), work.resolve("worker-resume-2.log"))) {
        // The time is the server's event time, so probing once a second costs no precision, and
        // unlike fetching the whole history ten times a second it leaves the two cores to the worker.
        Instant next = null;
        for (int i = 0; i < 120 && next == null; i++) {
          Thread.sleep(1_000);
          next = firstCompletionAfter(conn.client(), "resume", started);
        }
        if (next == null) throw new IllegalStateException("no step completed within 120 s of the worker's start");
        results.put("killedAtToolCall", killAt);
        results.put("resumeLatencyMs", Duration.between(started, next).toMillis());
        results.put("resumeTimeline", timeline(conn.client(), "resume", killed));
        results.put("resumeWorkerStartedAfterKillMs", Duration.between(killed, started).toMillis());
        awaitResult(runs, "resume");
      }
    }
  }

  /** The events from {@code from} on, as "+ms EVENT_TYPE" relative to it: where a resume spends its time. */
  static List<String> timeline(WorkflowClient client, String id, Instant from) {
    List<String> lines = new java.util.ArrayList<>();
    for (HistoryEvent e : client.fetchHistory(id).getEvents()) {
      Instant at = Instant.ofEpochSecond(e.getEventTime().getSeconds(), e.getEventTime().getNanos());
      if (at.isAfter(from) && lines.size() < 16) lines.add("+" + Duration.between(from, at).toMillis() + " ms " + e.getEventType().name().replace("EVENT_TYPE_", ""));
    }
    return lines;
  }

  static Instant firstCompletionAfter(WorkflowClient client, String id, Instant after) {
    for (HistoryEvent e : client.fetchHistory(id).getEvents()) {
      if (e.getEventType() != EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) continue;
      Instant at = Instant.ofEpochSecond(e.getEventTime().getSeconds(), e.getEventTime().getNanos());
      if (at.isAfter(after)) return at;
    }
    return null;
  }

  // ---- plumbing -------------------------------------------------------------------------------

  RunState state(String id, ScriptedModel model, int calls) throws IOException {
    Path repo = GitRepos.create(work.resolve("repo-" + id), Map.of("README.md", "# bench\n"));
    return TestRuns.state(id, repo, TestRuns.model(model.baseUrl(), WINDOW), "Make " + calls + " tool calls", options, Budget.UNLIMITED);
  }

  static Connection connect(DevServerFixture server, Path home) {
    return server.connect(home);
  }

  static void awaitCalls(ScriptedModel model, int calls) {
    int turn = calls / BenchScript.CALLS_PER_TURN + 1; // asking for this turn means the calls before it are done
    Eventually.get(() -> model.arrivals().contains(turn) ? true : null, Duration.ofMinutes(60), calls + " tool calls");
  }

  static RunReport awaitResult(Runs runs, String id) {
    return Eventually.get(() -> runs.describe(id).getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED ? runs.result(id) : null,
        Duration.ofMinutes(60), id + " finishing");
  }

  /** Live heap of a worker process after a full GC, via jcmd. */
  static double heapMb(WorkerProcess worker) throws Exception {
    jcmd(worker.pid(), "GC.run");
    String info = jcmd(worker.pid(), "GC.heap_info");
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("used (\\d+)K").matcher(info);
    if (!m.find()) throw new IllegalStateException("cannot read heap use from: " + info);
    return round(Long.parseLong(m.group(1)) / 1024.0);
  }

  static String jcmd(long pid, String command) throws Exception {
    Process p = new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException("jcmd failed: " + out);
    return out;
  }

  static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }

  void print(java.io.PrintStream out) {
    out.printf(Locale.ROOT, "%nMarathon benchmark: %d tool calls, real Temporal dev server (SQLite)%n", toolCalls);
    results.forEach((k, v) -> out.printf(Locale.ROOT, "  %-32s %s%n", k, v));
  }
}
