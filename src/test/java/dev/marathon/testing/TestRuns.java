package dev.marathon.testing;

import dev.marathon.workflows.Budget;
import dev.marathon.workflows.ModelSettings;
import dev.marathon.workflows.RunOptions;
import dev.marathon.workflows.RunSpec;
import dev.marathon.workflows.RunState;
import java.nio.file.Path;

/** Run states for tests: a scripted model, a repo, sensible small limits. */
public final class TestRuns {

  public static RunState state(String runId, Path repo, String baseUrl, String task) {
    return state(runId, repo, baseUrl, task, RunOptions.DEFAULTS, Budget.UNLIMITED);
  }

  public static RunState state(String runId, Path repo, String baseUrl, String task, RunOptions options, Budget budget) {
    ModelSettings model = new ModelSettings(baseUrl, "scripted-1", "MARATHON_TEST_KEY", "kimi", 200_000, 4096,
        new ModelSettings.Price(1.0, 0.1, 4.0));
    RunSpec spec = new RunSpec(runId, task.lines().findFirst().orElse(task), repo.toString(), "marathon/" + runId, model, options);
    return RunState.start(spec, task, budget);
  }

  private TestRuns() {}
}
