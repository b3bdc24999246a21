package dev.marathon.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.activities.Json;
import dev.marathon.activities.store.FileCheckpointStore;
import dev.marathon.runtime.Connection;
import dev.marathon.runtime.Runs;
import dev.marathon.testing.DevServerFixture;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.WorkerProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Marathon next to the durable peers a user would pick instead, in one invocation, on the same
 * workload (BenchScript: turns of write, read, edit, bash; each call durable before the next): LangGraph
 * with its SQLite checkpointer (durability "sync"), DBOS with SQLite, and the Temporal Python SDK on
 * the same dev server. The peers commit the workspace to git after each call (their only way to have
 * a workspace state per step); Marathon snapshots it, and runs bash in its sandbox. Rounds are
 * interleaved and each number is the median of the rounds. Resume: the process is killed with
 * SIGKILL when step 3/4 is about to start; after the dead process's timeouts have passed, a fresh
 * process is started and the time to its first completed step is printed. {@code scripts/bench
 * --peers} runs it; the peers live in {@code scripts/peers/}.
 */
public final class PeersBenchmark {
  static final List<String> PEERS = List.of("langgraph", "dbos", "temporal");

  final int steps;
  final int rounds;
  final Path work;
  final Path python;
  final Path peerScript;
  /** system → the numbers of each round */
  final Map<String, List<JsonNode>> runs = new LinkedHashMap<>();
  final Map<String, Double> resumeSeconds = new LinkedHashMap<>();
  double marathonPeakRssMb;
  long marathonStoreBytes;

  public PeersBenchmark(int steps, int rounds, Path work, Path python, Path peerScript) {
    this.steps = steps;
    this.rounds = rounds;
    this.work = work;
    this.python = python;
    this.peerScript = peerScript;
  }

  public static void main(String[] args) throws Exception {
    int turns = 100;
    int rounds = 3;
    Path python = python();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--peers" -> { }
        case "--turns" -> turns = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("usage: PeersBenchmark --peers [--turns 100] [--rounds 3]");
      }
    }
    PeersBenchmark b = new PeersBenchmark(turns * BenchScript.CALLS_PER_TURN, rounds, Files.createTempDirectory("marathon-peers"),
        python, Path.of("scripts/peers/peer.py").toAbsolutePath());
    b.run();
    b.print(System.out);
  }

  /** The peers' venv's python: MARATHON_PEERS_PYTHON (scripts/test and scripts/bench set it), else the default venv. */
  public static Path python() {
    return Path.of(System.getenv().getOrDefault("MARATHON_PEERS_PYTHON", System.getProperty("user.home") + "/.marathon/peers-venv/bin/python"));
  }

  public void run() throws Exception {
    if (!Files.isExecutable(python)) throw new IllegalStateException("no peers venv at " + python + " (scripts/install-peers makes it)");
    try (DevServerFixture server = new DevServerFixture(Files.createDirectories(work.resolve("server")), "--headless").start()) {
      Path home = work.resolve("home");
      try (Connection conn = server.connect(home);
          WorkerProcess worker = WorkerProcess.start(home, server.address(), work.resolve("worker.log"))) {
        marathon(conn, "warm", BenchScript.CALLS_PER_TURN * 10); // JIT, connections, git's caches
        for (String peer : PEERS) peer(peer, "warm", 40, server.address());
        for (int r = 1; r <= rounds; r++) {
          runs.computeIfAbsent("marathon", k -> new ArrayList<>()).add(marathon(conn, "round-" + r, steps));
          for (String peer : PEERS) runs.computeIfAbsent(peer, k -> new ArrayList<>()).add(peer(peer, "round-" + r, steps, server.address()));
        }
        marathonPeakRssMb = peakRssMb(worker.pid());
        marathonStoreBytes = FileCheckpointStore.open(home.resolve("store")).stats().bytes();
      }
      resumeSeconds.put("marathon", marathonResume(server));
      for (String peer : PEERS) resumeSeconds.put(peer, peerResume(peer, server.address()));
    }
  }

  // ---- Marathon --------------------------------------------------------------------------------

  MarathonBenchmark harness(int calls) {
    return new MarathonBenchmark(calls, work, dev.marathon.workflows.RunOptions.DEFAULTS.continueAsNewEvents());
  }

  JsonNode marathon(Connection conn, String label, int calls) throws Exception {
    try (ScriptedModel model = new ScriptedModel(new BenchScript(calls)).keepBodies(false)) {
      Runs r = new Runs(conn.client());
      long t0 = System.nanoTime();
      r.start(harness(calls).state("marathon-" + label, model, calls));
      MarathonBenchmark.awaitResult(r, "marathon-" + label);
      double seconds = (System.nanoTime() - t0) / 1e9;
      // What the peers' own timers cover: their steps, not setting up and putting away their repository. From the
      // first turn's request to the last's (the one that finishes) are every tool call and the model calls before them.
      int turns = calls / BenchScript.CALLS_PER_TURN;
      double stepsSeconds = (model.arrivedAt(turns + 1).orElseThrow() - model.arrivedAt(1).orElseThrow()) / 1e9;
      return Json.MAPPER.createObjectNode().put("system", "marathon").put("seconds", seconds).put("msPerCall", seconds * 1000 / calls)
          .put("msPerCallSteps", stepsSeconds * 1000 / calls);
    }
  }

  double marathonResume(DevServerFixture server) throws Exception {
    MarathonBenchmark b = harness(steps);
    b.resume(server);
    return ((Number) b.results().get("resumeLatencyMs")).doubleValue() / 1000;
  }

  // ---- the peers -------------------------------------------------------------------------------

  ProcessBuilder peerProcess(String peer, Path dir, int calls, String address, String... more) {
    List<String> cmd = new ArrayList<>(List.of(python.toString(), peerScript.toString(), peer, "--work", dir.toString(),
        "--steps", Integer.toString(calls), "--address", address));
    cmd.addAll(List.of(more));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(work.resolve(peer + ".log").toFile()));
    pb.environment().putAll(Map.of("GIT_AUTHOR_NAME", "bench", "GIT_AUTHOR_EMAIL", "bench@localhost",
        "GIT_COMMITTER_NAME", "bench", "GIT_COMMITTER_EMAIL", "bench@localhost", "PYTHONDONTWRITEBYTECODE", "1"));
    return pb;
  }

  JsonNode peer(String peer, String label, int calls, String address) throws Exception {
    Process p = peerProcess(peer, work.resolve(peer + "-" + label), calls, address).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException(peer + " failed (exit " + p.exitValue() + "); see " + work.resolve(peer + ".log") + "\n" + tail(out));
    }
    String[] lines = out.strip().split("\n");
    JsonNode result = Json.MAPPER.readTree(lines[lines.length - 1]);
    long done = out.lines().filter(l -> l.startsWith("step ")).count();
    if (done != calls) throw new IllegalStateException(peer + " made " + done + " steps, not " + calls);
    return result;
  }

  /** Kills the peer when step 3/4 is about to start, then times a fresh process to its first completed step. */
  double peerResume(String peer, String address) throws Exception {
    Path dir = work.resolve(peer + "-resume");
    int killAt = steps * 3 / 4;
    Process first = peerProcess(peer, dir, steps, address, "--kill-at", Integer.toString(killAt)).start();
    first.getInputStream().readAllBytes();
    first.waitFor();
    // Temporal's activity is retried only after its timeout (10 s, as Marathon's heartbeat): wait it out, as for Marathon.
    if (peer.equals("temporal")) Thread.sleep(Duration.ofSeconds(MarathonBenchmark.HEARTBEAT_SECONDS + 3).toMillis());
    Instant started = Instant.now();
    Process second = peerProcess(peer, dir, steps, address, "--resume").start();
    Double seconds = null;
    try (BufferedReader in = new BufferedReader(new InputStreamReader(second.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        if (seconds == null && line.startsWith("step ")) {
          seconds = Duration.between(started, Instant.now()).toMillis() / 1000.0;
          if (!line.equals("step " + killAt)) throw new IllegalStateException(peer + " resumed at '" + line + "', not step " + killAt);
        }
      }
    }
    int exit = second.waitFor();
    if (exit != 0 || seconds == null) {
      // The log's tail in the message: the work directory is a test's temporary one, gone when the failure is read.
      Path log = work.resolve(peer + ".log");
      throw new IllegalStateException(peer + " did not resume (exit " + exit + (seconds == null ? ", no step done" : "") + "); "
          + log + " ends:\n" + tail(Files.exists(log) ? Files.readString(log) : "(no log)"));
    }
    return seconds;
  }

  static double peakRssMb(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
    }
    throw new IllegalStateException("no VmHWM for " + pid);
  }

  static String tail(String s) {
    return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
  }

  // ---- the table -------------------------------------------------------------------------------

  static double median(List<JsonNode> rounds, String field) {
    List<Double> v = new ArrayList<>(rounds.stream().map(n -> n.path(field).asDouble()).sorted().toList());
    int n = v.size();
    return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
  }

  public Map<String, Map<String, Object>> table() {
    Map<String, Map<String, Object>> t = new LinkedHashMap<>();
    double marathonMs = median(runs.get("marathon"), "msPerCall");
    double marathonStepsMs = median(runs.get("marathon"), "msPerCallSteps");
    for (Map.Entry<String, List<JsonNode>> e : runs.entrySet()) {
      Map<String, Object> row = new LinkedHashMap<>();
      double ms = median(e.getValue(), "msPerCall");
      // A peer's timer covers its steps alone already.
      double stepsMs = e.getKey().equals("marathon") ? marathonStepsMs : ms;
      row.put("msPerCall", MarathonBenchmark.round(ms));
      row.put("ratioToMarathon", MarathonBenchmark.round(ms / marathonMs));
      row.put("msPerCallSteps", MarathonBenchmark.round(stepsMs));
      row.put("stepsRatioToMarathon", MarathonBenchmark.round(stepsMs / marathonStepsMs));
      JsonNode last = e.getValue().get(e.getValue().size() - 1);
      if (e.getKey().equals("marathon")) {
        row.put("storeBytesPerCall", marathonStoreBytes / ((long) steps * rounds + BenchScript.CALLS_PER_TURN * 10));
        row.put("peakRssMb", MarathonBenchmark.round(marathonPeakRssMb));
      } else {
        row.put("storeBytesPerCall", last.path("storeBytes").isNumber() ? last.path("storeBytes").asLong() / steps : null);
        row.put("peakRssMb", MarathonBenchmark.round(last.path("peakRssMb").asDouble()));
      }
      row.put("resumeSeconds", resumeSeconds.get(e.getKey()));
      t.put(e.getKey(), row);
    }
    return t;
  }

  public void print(PrintStream out) throws IOException {
    Map<String, Map<String, Object>> t = table();
    out.printf(Locale.ROOT, "%nPeers benchmark: %d tool calls (%d turns × 4), median of %d interleaved rounds, %s%n",
        steps, steps / BenchScript.CALLS_PER_TURN, rounds, Instant.now());
    out.printf(Locale.ROOT, "%-10s %12s %10s %14s %10s %16s %12s %12s%n", "system", "ms/call", "ratio", "steps ms/call", "ratio",
        "store B/call", "peak RSS MB", "resume s");
    for (Map.Entry<String, Map<String, Object>> e : t.entrySet()) {
      Map<String, Object> r = e.getValue();
      out.printf(Locale.ROOT, "%-10s %12s %10s %14s %10s %16s %12s %12s%n", e.getKey(), r.get("msPerCall"), r.get("ratioToMarathon"),
          r.get("msPerCallSteps"), r.get("stepsRatioToMarathon"),
          r.get("storeBytesPerCall") == null ? "(server)" : r.get("storeBytesPerCall"), r.get("peakRssMb"), r.get("resumeSeconds"));
    }
    out.println("(ms/call: Marathon's whole run, its workspace made and its branch put back included; steps ms/call: from its"
        + " first turn to its last, what the peers' timers cover)");
    Path dir = Files.createDirectories(Path.of("target/bench"));
    Files.writeString(dir.resolve("peers.json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(t));
    out.println("\n(written to target/bench/peers.json)");
  }
}
