package dev.marathon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.marathon.runtime.RunInspector;
import dev.marathon.workflows.Budget;
import dev.marathon.workflows.Containment;
import dev.marathon.workflows.ModelSettings;
import dev.marathon.workflows.Phase;
import dev.marathon.workflows.Progress;
import dev.marathon.workflows.RunOptions;
import dev.marathon.workflows.RunSpec;
import dev.marathon.workflows.RunState;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code ./marathon status} prints of a run, from a progress as a worker answers it. */
class StatusOutputTest {

  static RunInspector.View running(Containment containment) {
    RunState s = RunState.start(new RunSpec("r-1", "Fix the flaky tests", "/repo", "marathon/r-1",
        new ModelSettings("http://x", "glm-5.1", "K", null, 200_000, 1000, null), RunOptions.DEFAULTS.withContainment(containment)),
        "task", new Budget(50, null, null, null));
    s.turn = 3;
    return new RunInspector.View("r-1", "e-1", WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING, 5,
        new RunInspector.Attributes("running", 3, 3, 0), null, Progress.of(s, Phase.ACTING), null);
  }

  @Test
  void anUnsandboxedRunSaysSoLoudlyInBothForms() {
    RunInspector.View view = running(new Containment(false, true, List.of()));
    String human = StatusCommand.human(view, null, "default");
    String[] lines = human.split("\n");
    assertTrue(lines[1].startsWith("  ⚠ WARNING: NOT SANDBOXED (--sandbox off): commands run as the worker's user"), human);
    assertTrue(lines[1].contains("the model key"), human);

    ObjectNode json = StatusCommand.toJson(view, null, "default");
    assertFalse(json.path("sandboxed").asBoolean(true), json.toString());
    assertTrue(json.path("warning").asText().startsWith("NOT SANDBOXED (--sandbox off)"), json.toString());
    assertFalse(json.path("containment").path("sandbox").asBoolean(true), json.toString());
  }

  @Test
  void aSandboxedRunHasNoWarning() {
    RunInspector.View view = running(new Containment(true, false, List.of()));
    String human = StatusCommand.human(view, "http://localhost:8233", "default");
    assertFalse(human.contains("WARNING") || human.contains("sandbox"), human);
    assertTrue(human.contains("  web ui: http://localhost:8233/"), human);

    ObjectNode json = StatusCommand.toJson(view, null, "default");
    assertTrue(json.path("sandboxed").asBoolean(false), json.toString());
    assertTrue(json.path("warning").isMissingNode(), json.toString());
    assertEquals("running", json.path("status").asText());
  }
}
