package dev.marathon.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.marathon.testing.TestRuns;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** How a schedule's firing names its run: from the time Temporal put in the firing's id, the same in the workflow and the CLI. */
class ScheduledRunTest {

  @Test
  void aFiringsRunIsNamedAfterTheScheduleAndTheTimeItFiredAt() {
    Instant at = ScheduledRunImpl.firedAt("schedule-nightly-deps-2026-12-04T01:00:00Z", "nightly-deps");
    assertEquals(Instant.parse("2026-12-04T01:00:00Z"), at);
    assertEquals("nightly-deps-20261204-010000", ScheduledRunImpl.runId("nightly-deps", at));
    assertNull(ScheduledRunImpl.firedAt("schedule-nightly-deps-soon", "nightly-deps"), "no time: the workflow's clock names it");
    assertNull(ScheduledRunImpl.firedAt("schedule-other-2026-12-04T01:00:00Z", "nightly-deps"));
  }

  @Test
  void aFiringIsTheTemplateWithItsOwnIdBranchAndTitle() {
    RunState template = TestRuns.state("nightly-deps", Path.of("/srv/repo"), "http://127.0.0.1:9/v1", "Upgrade one dependency");
    RunSpec before = template.spec;
    RunState run = ScheduledRunImpl.firing(template, Instant.parse("2026-12-04T01:00:00Z"));
    assertEquals("nightly-deps-20261204-010000", run.spec.runId());
    assertEquals("marathon/nightly-deps-20261204-010000", run.spec.branch());
    assertEquals("Upgrade one dependency (2026-12-04 01:00 UTC)", run.spec.title());
    assertEquals(null, run.spec.workspaceKey().problem(), "a key a worker acts on");
    assertEquals(before.repo(), run.spec.repo());
    assertEquals(before.model(), run.spec.model());
    assertEquals(before.options(), run.spec.options());
    assertEquals("Upgrade one dependency", run.task);
  }
}
