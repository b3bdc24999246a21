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
    return state(runId, repo, model(baseUrl, 200_000), task, options, budget);
  }

  /** The scripted model's settings: Kimi's quirks (strictest about reasoning), a test key. */
  public static ModelSettings model(String baseUrl, long contextWindow) {
    return new ModelSettings(baseUrl, "scripted-1", KEY_ENV, "kimi", contextWindow, 4096, new ModelSettings.Price(1.0, 0.1, 4.0));
  }

  /** Set by the build for test JVMs (pom.xml), so tests can prove the key never leaks. */
  public static final String KEY_ENV = "MARATHON_TEST_KEY";

  public static String key() {
    String k = System.getenv(KEY_ENV);
    if (k == null) throw new AssertionError(KEY_ENV + " is not set: run the tests through Maven");
    return k;
  }

  public static RunState state(String runId, Path repo, ModelSettings model, String task, RunOptions options, Budget budget) {
    RunSpec spec = new RunSpec(runId, task.lines().findFirst().orElse(task), repo.toString(), "marathon/" + runId, model, options);
    return RunState.start(spec, task, budget);
  }

  private TestRuns() {}
}
