package dev.marathon.bench;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.finish;

import dev.marathon.activities.store.Conversations;
import dev.marathon.runtime.Connection;
import dev.marathon.runtime.MarathonHome;
import dev.marathon.runtime.RunInspector;
import dev.marathon.runtime.RunTranscript;
import dev.marathon.runtime.Runs;
import dev.marathon.runtime.WorkerHost;
import dev.marathon.testing.DevServerFixture;
import dev.marathon.testing.Eventually;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.Launcher;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.TestRuns;
import dev.marathon.workflows.Budget;
import dev.marathon.workflows.RunOptions;
import dev.marathon.workflows.RunState;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * How long reading a long run back takes: {@code log}, {@code diff} and {@code export} of a run of
 * N turns (1,000 by default), as CLI commands, and what they spend it on — the run's state (from
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
      List<Double> state = new ArrayList<>();
      List<Double> transcript = new ArrayList<>();
      List<Double> log = new ArrayList<>();
      List<Double> diff = new ArrayList<>();
      List<Double> export = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        long t0 = System.nanoTime();
        RunState s = inspector.state("long");
        state.add(ms(t0));
        t0 = System.nanoTime();
        RunTranscript.read(new Conversations(new MarathonHome(home).openStore(), 4), s.conversation.contextRef);
        transcript.add(ms(t0));
        log.add(cli(home, server.address(), "log", "long"));
        diff.add(cli(home, server.address(), "diff", "long"));
        export.add(cli(home, server.address(), "export", "long", "--out", work.resolve("export-" + r + ".jsonl").toString()));
      }
      System.out.printf("%nreading back the %d-turn run, no worker running (medians of %d):%n", turns, rounds);
      System.out.printf("  the run's state (RunInspector.state)   %8.0f ms%n", median(state));
      System.out.printf("  its transcript from the store          %8.0f ms%n", median(transcript));
      System.out.printf("  ./marathon log                         %8.0f ms%n", median(log));
      System.out.printf("  ./marathon diff                        %8.0f ms%n", median(diff));
      System.out.printf("  ./marathon export                      %8.0f ms%n", median(export));
    }
  }

  private static double cli(Path home, String address, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--address", address));
    long t0 = System.nanoTime();
    Launcher.Result r = Launcher.run(home, Map.of(), 300, all.toArray(String[]::new));
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
