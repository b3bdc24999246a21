package dev.marathon.bench;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.finish;

import dev.marathon.activities.store.Conversations;
import dev.marathon.runtime.Connection;
import dev.marathon.runtime.HttpRunView;
import dev.marathon.runtime.MarathonHome;
import dev.marathon.runtime.RunInspector;
import dev.marathon.runtime.RunTranscript;
import dev.marathon.runtime.Runs;
import dev.marathon.runtime.ServerHttpApi;
import dev.marathon.runtime.WorkerHost;
import dev.marathon.testing.DevServerFixture;
import dev.marathon.testing.Eventually;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.Launcher;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.TestRuns;
import dev.marathon.workflows.Budget;
import dev.marathon.workflows.MarathonSearchAttributes;
import dev.marathon.workflows.RunOptions;
import dev.marathon.workflows.RunState;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How long reading a long run back takes: {@code list}, {@code status}, {@code log}, {@code diff}
 * and {@code export} of a run of N turns (1,000 by default), as CLI commands, over the server's
 * HTTP API and over gRPC alone, next to the Temporal Go CLI's nearest commands; and what they spend it on — the run's state (from
 * a finished run's result, or by a worker replaying its history for a query) and the transcript
 * (read from the store). {@code scripts/bench --read-back [--turns 1000] [--rounds 3]}.
 */
public final class ReadBackBenchmark {

  public static void main(String[] args) throws Exception {
    int turns = 1000;
    int rounds = 3;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--turns")) turns = Integer.parseInt(args[++i]);
      else if (args[i].equals("--rounds")) rounds = Integer.parseInt(args[++i]);
      else if (!args[i].equals("--read-back")) throw new IllegalArgumentException("usage: ReadBackBenchmark [--turns N] [--rounds R]");
    }
    Path work = Files.createTempDirectory("marathon-bench-read");
    Path home = work.resolve("home");
    Path repo = GitRepos.create(work.resolve("repo"), Map.of("README.md", "# read back\n"));
    int last = turns;
    ScriptedModel.Script script = (turn, req) -> turn < last
        ? Reply.tools("turn " + turn, bash("echo " + turn + " >> turns.txt")) : Reply.tools("done", finish("Counted."));
    try (DevServerFixture server = new DevServerFixture(Files.createDirectories(work.resolve("server")), "--headless").start();
        ScriptedModel model = new ScriptedModel(script);
        Connection conn = server.connect(home)) {
      Runs runs = new Runs(conn.client());
      long started = System.nanoTime();
      try (WorkerHost worker = WorkerHost.start(conn.client(), new MarathonHome(home))) {
        runs.start(TestRuns.state("long", repo, model.baseUrl(), "Count", RunOptions.DEFAULTS, Budget.UNLIMITED));
        Eventually.get(() -> runs.describe("long").getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED ? true : null,
            Duration.ofMinutes(60), "the long run");
      }
      System.out.printf("a run of %d turns made in %.0f s%n", turns, (System.nanoTime() - started) / 1e9);
      RunInspector inspector = new RunInspector(runs);
      ServerHttpApi.record(new MarathonHome(home), server.port(), server.httpPort(), ProcessHandle.current()); // as ./marathon does when it starts a server (it lives as long as this JVM)
      HttpRunView overHttp = new HttpRunView(ServerHttpApi.beside(server.address(), new MarathonHome(home), Map.of()).orElseThrow(), "default");
      Map<String, List<Double>> times = new LinkedHashMap<>();
      Path go = DevServerFixture.binary();
      for (int r = 0; r < rounds; r++) {
        long t0 = System.nanoTime();
        RunState s = inspector.state("long");
        add(times, "state, gRPC (RunInspector.state)", ms(t0));
        t0 = System.nanoTime();
        overHttp.endedState("long").orElseThrow();
        add(times, "state, HTTP API (HttpRunView.endedState)", ms(t0));
        t0 = System.nanoTime();
        RunTranscript.read(new Conversations(new MarathonHome(home).openStore(), 4), s.conversation.contextRef);
        add(times, "transcript from the store", ms(t0));
        // Each command as a user runs it (the HTTP API when it is there), then with gRPC only, then the Go CLI's nearest.
        add(times, "temporal workflow list", run(List.of(go.toString(), "workflow", "list", "--address", server.address())));
        add(times, "list", cli(home, server.address(), Map.of(), "list"));
        add(times, "list, gRPC", cli(home, server.address(), GRPC_ONLY, "list"));
        add(times, "temporal workflow describe", run(List.of(go.toString(), "workflow", "describe", "-w", "long", "--address", server.address())));
        add(times, "status", cli(home, server.address(), Map.of(), "status", "long"));
        add(times, "status, gRPC", cli(home, server.address(), GRPC_ONLY, "status", "long"));
        add(times, "temporal workflow show", run(List.of(go.toString(), "workflow", "show", "-w", "long", "--address", server.address())));
        add(times, "log", cli(home, server.address(), Map.of(), "log", "long"));
        add(times, "log, gRPC", cli(home, server.address(), GRPC_ONLY, "log", "long"));
        add(times, "diff", cli(home, server.address(), Map.of(), "diff", "long"));
        add(times, "diff, gRPC", cli(home, server.address(), GRPC_ONLY, "diff", "long"));
        add(times, "export", cli(home, server.address(), Map.of(), "export", "long", "--out", work.resolve("export-" + r + ".jsonl").toString()));
        add(times, "export, gRPC", cli(home, server.address(), GRPC_ONLY, "export", "long", "--out", work.resolve("export-" + r + ".jsonl").toString()));
      }
      // A live run, paused on its one-turn budget, with a worker: status answers from the progress query; steer is an update.
      try (WorkerHost worker = WorkerHost.start(conn.client(), new MarathonHome(home))) {
        runs.start(TestRuns.state("live", repo, model.baseUrl(), "Wait", RunOptions.DEFAULTS, new Budget(1, null, null, null, null)));
        Eventually.get(() -> "paused".equals(runs.describe("live").getTypedSearchAttributes().get(MarathonSearchAttributes.PHASE)) ? true : null,
            Duration.ofMinutes(2), "the live run pausing on its budget");
        for (int r = 0; r < rounds; r++) {
          add(times, "temporal workflow describe (live)", run(List.of(go.toString(), "workflow", "describe", "-w", "live", "--address", server.address())));
          add(times, "status (live)", cli(home, server.address(), Map.of(), "status", "live"));
          add(times, "status (live), gRPC", cli(home, server.address(), GRPC_ONLY, "status", "live"));
          add(times, "temporal workflow update execute", run(List.of(go.toString(), "workflow", "update", "execute", "-w", "live", "--name", "steer",
              "--input", "\"from go\"", "--address", server.address())));
          add(times, "steer", cli(home, server.address(), Map.of(), "steer", "live", "from marathon"));
          add(times, "steer, gRPC", cli(home, server.address(), GRPC_ONLY, "steer", "live", "from marathon"));
        }
      }
      System.out.printf("%nreading back the %d-turn run, no worker running; then a live run with one (medians of %d, ms;"
          + " x: over the Go CLI's nearest command)%n", turns, rounds);
      double goList = median(times.get("temporal workflow list"));
      double goDescribe = median(times.get("temporal workflow describe"));
      double goShow = median(times.get("temporal workflow show"));
      double goDescribeLive = median(times.get("temporal workflow describe (live)"));
      double goUpdate = median(times.get("temporal workflow update execute"));
      times.forEach((name, xs) -> {
        double m = median(xs);
        double base = name.startsWith("list") ? goList : name.startsWith("status (live)") ? goDescribeLive : name.startsWith("status") ? goDescribe
            : name.startsWith("log") ? goShow : name.startsWith("steer") ? goUpdate : 0;
        String label = name.startsWith("temporal") || name.startsWith("state") || name.startsWith("transcript") ? name : "./marathon " + name;
        System.out.printf("  %-44s %8.0f%s%n", label, m, base > 0 ? String.format("  %5.1fx", m / base) : "");
      });
    }
  }

  /** The environment that keeps a command off the HTTP API: what it costs over gRPC alone. */
  private static final Map<String, String> GRPC_ONLY = Map.of("MARATHON_HTTP_API", "off");

  private static void add(Map<String, List<Double>> times, String name, double ms) {
    times.computeIfAbsent(name, k -> new ArrayList<>()).add(ms);
  }

  private static double run(List<String> command) throws Exception {
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", command) + " failed");
    return ms(t0);
  }

  private static double cli(Path home, String address, Map<String, String> env, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--address", address));
    long t0 = System.nanoTime();
    Launcher.Result r = Launcher.run(home, env, 300, all.toArray(String[]::new));
    double ms = ms(t0);
    if (r.exit() != 0) throw new IllegalStateException("./marathon " + String.join(" ", all) + " failed: " + r);
    return ms;
  }

  private static double ms(long t0) {
    return (System.nanoTime() - t0) / 1e6;
  }

  private static double median(List<Double> xs) {
    List<Double> sorted = new ArrayList<>(xs);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }
}
