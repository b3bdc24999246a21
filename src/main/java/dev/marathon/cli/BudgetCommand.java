package dev.marathon.cli;

import dev.marathon.runtime.Connection;
import dev.marathon.runtime.RunDescription;
import dev.marathon.runtime.Runs;
import dev.marathon.workflows.Budget;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "budget", mixinStandardHelpOptions = true, description = {"Change a run's limits.",
    "A run paused on a budget goes on when the new budget allows it. Options not given keep their value."})
final class BudgetCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin RunIdArgument run;

  @Option(names = "--max-turns", paramLabel = "N") Integer maxTurns;
  @Option(names = "--max-hours", paramLabel = "H") Double maxHours;
  @Option(names = "--max-tokens", paramLabel = "N") Long maxTokens;
  @Option(names = "--max-cost", paramLabel = "USD") Double maxCost;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() {
    if (maxTurns == null && maxHours == null && maxTokens == null && maxCost == null) {
      throw new BadInputException("give at least one of --max-turns, --max-hours, --max-tokens, --max-cost");
    }
    OptionChecks.atLeast("--max-turns", maxTurns, 1);
    OptionChecks.positive("--max-hours", maxHours);
    OptionChecks.atLeast("--max-tokens", maxTokens, 1);
    OptionChecks.positive("--max-cost", maxCost);
    try (Connection conn = connection.open(false, spec.commandLine().getErr())) {
      Budget now;
      try {
        now = new Runs(conn.client()).typed(run.value).budget(new Budget(maxTurns, maxHours, maxTokens, maxCost));
      } catch (io.temporal.client.WorkflowNotFoundException e) {
        return ClosedRuns.explain(conn, run.value, "budget", spec.commandLine().getErr());
      }
      spec.commandLine().getOut().println(run.value + ": budget now " + RunDescription.budget(now));
      return ExitCodes.OK;
    }
  }
}
