package dev.marathon.cli;

import dev.marathon.runtime.Connection;
import dev.marathon.runtime.Runs;
import dev.marathon.workflows.AgentWorkflow;
import io.temporal.client.WorkflowNotFoundException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The operator commands that are one signal each: pause, unpause, finish, cancel. */
final class SignalCommands {

  /** Sends one signal to a run and says what will happen. */
  abstract static class SignalCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin RunIdArgument run;
    @Mixin ConnectionOptions connection;

    abstract void send(AgentWorkflow workflow);

    abstract String outcome();

    /** Checks the command's own options before anything connects. */
    void check() {}

    @Override
    public Integer call() {
      check();
      try (Connection conn = connection.open(false, spec.commandLine().getErr())) {
        try {
          send(new Runs(conn.client()).typed(run.value));
        } catch (WorkflowNotFoundException e) {
          return ClosedRuns.explain(conn, run.value, spec.name(), spec.commandLine().getErr());
        }
        spec.commandLine().getOut().println(run.value + ": " + outcome());
        return ExitCodes.OK;
      }
    }
  }

  @Command(name = "pause", mixinStandardHelpOptions = true, description = "Pause a run at the next turn boundary; it waits, costing nothing.")
  static final class Pause extends SignalCommand {
    /** A reason is shown in status and the run's details, and travels in history: a line or a paragraph. */
    static final int MAX_REASON_CHARS = 1_000;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why (shown in status and the Web UI).")
    String reason;

    @Override
    void check() {
      if (reason != null) OptionChecks.text("--reason", reason, MAX_REASON_CHARS, "a line or two is enough");
    }

    @Override
    void send(AgentWorkflow workflow) {
      workflow.pause(reason == null ? "" : reason);
    }

    @Override
    String outcome() {
      return "pauses at the next turn boundary (./marathon unpause to go on)";
    }
  }

  @Command(name = "unpause", mixinStandardHelpOptions = true, description = {"Let a paused run go on.",
      "After a budget pause, raise the budget instead (./marathon budget)."})
  static final class Unpause extends SignalCommand {
    @Override
    void send(AgentWorkflow workflow) {
      workflow.unpause();
    }

    @Override
    String outcome() {
      return "unpaused";
    }
  }

  @Command(name = "finish", mixinStandardHelpOptions = true, description = {"Ask the agent to wrap up and report.",
      "It gets a few turns to commit and write its final report, then the run ends. Works on paused runs too."})
  static final class Finish extends SignalCommand {
    @Override
    void send(AgentWorkflow workflow) {
      workflow.finish();
    }

    @Override
    String outcome() {
      return "asked to finish; the agent gets a few turns to report";
    }
  }

  @Command(name = "cancel", mixinStandardHelpOptions = true, description = {"Cancel a run (gracefully; --now: at once).",
      "The agent wraps up and commits, then the run ends as cancelled with a report. Cancel again, or",
      "with --now, to stop at once; the workspace stays consistent."})
  static final class Cancel extends SignalCommand {
    @Option(names = "--now", description = "Stop at once: cancel what is in flight.")
    boolean now;

    @Override
    void send(AgentWorkflow workflow) {
      workflow.cancel(now);
    }

    @Override
    String outcome() {
      return now ? "stopping now" : "cancelling: the agent wraps up (cancel again, or --now, to stop at once)";
    }
  }

  private SignalCommands() {}
}
