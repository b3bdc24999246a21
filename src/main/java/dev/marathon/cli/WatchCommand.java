package dev.marathon.cli;

import dev.marathon.runtime.Connection;
import dev.marathon.runtime.RunInspector;
import dev.marathon.runtime.Runs;
import dev.marathon.workflows.Progress;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "watch", mixinStandardHelpOptions = true, description = {"Watch a run live.",
    "Plan, turn, last tool and tokens, updated in place on a terminal; plain lines when the output",
    "is not a terminal (or with --plain). Needs a worker."})
final class WatchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin RunIdArgument run;

  @Option(names = "--plain", description = "Print plain lines even on a terminal.")
  boolean plain;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (Connection conn = connection.open(false, spec.commandLine().getErr())) {
      Runs runs = new Runs(conn.client());
      if (plain || System.console() == null) return new RunFollower(runs, out, out).follow(run.value, false);
      RunInspector inspector = new RunInspector(runs);
      int drawn = 0;
      while (true) {
        RunInspector.View view = inspector.now(run.value);
        boolean running = view.running();
        Progress p = view.progress();
        String block = p == null ? run.value + ": waiting for a worker to answer…\n" : render(p, running, view.liveOutput());
        if (drawn > 0) out.print("\033[" + drawn + "A\033[J"); // back to the top of the last block, clear below
        out.print(block);
        out.flush();
        drawn = (int) block.chars().filter(c -> c == '\n').count();
        if (!running) return ExitCodes.OK;
        Thread.sleep(1_000);
      }
    }
  }

  /** @param live what the model is writing now (the pending model call's heartbeat), or null */
  static String render(Progress p, boolean running, String live) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%s · %s · turn %d · %d tool calls · %,d tokens · $%.4f%n",
        p.workflowId(), running ? p.phase() : "ended " + p.outcome(), p.turn(), p.toolCalls(), p.usage().totalTokens(), p.usage().costUsd()));
    sb.append("task: ").append(p.title()).append('\n');
    if (!p.plan().isEmpty()) sb.append("plan: ").append(RunFollower.plan(p.plan())).append('\n');
    if (!p.agents().isEmpty()) sb.append("swarm: ").append(StatusCommand.swarmLine(p)).append('\n');
    sb.append("last: ").append(p.lastTool() == null ? "—" : p.lastTool()).append('\n');
    if (live != null && running) sb.append("model: ").append(lastLines(live, 3)).append('\n');
    if (p.pause() != null) sb.append("PAUSED: ").append(p.pause().reason()).append('\n');
    if (p.summary() != null && !running) sb.append("summary: ").append(p.summary()).append('\n');
    return sb.toString();
  }

  /** The last {@code n} lines of the live output, each cut to the terminal's usual width. */
  static String lastLines(String live, int n) {
    String[] lines = live.strip().split("\n");
    StringBuilder sb = new StringBuilder();
    for (int i = Math.max(0, lines.length - n); i < lines.length; i++) {
      String line = lines[i].length() > 100 ? lines[i].substring(0, 99) + "…" : lines[i];
      if (sb.length() > 0) sb.append("\n       ");
      sb.append(line);
    }
    return sb.toString();
  }
}
