package dev.marathon.workflows;

import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.common.SearchAttributes;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * One firing of a schedule: the run {@code <schedule>-<yyyyMMdd-HHmmss UTC>} on branch {@code
 * marathon/<that id>}, a child that outlives this workflow if it is cancelled (the run is the
 * user's, not the schedule's).
 */
public final class ScheduledRunImpl implements ScheduledRun {
  static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
  static final DateTimeFormatter SHOWN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

  /** The prefix of the workflow id a schedule gives its firings (Temporal appends {@code -<the time, RFC 3339>}). */
  public static final String PREFIX = "schedule-";

  @Override
  public RunReport launch(RunState template) {
    Instant at = firedAt(Workflow.getInfo().getWorkflowId(), template.spec.runId());
    RunState state = firing(template, at == null ? Instant.ofEpochMilli(Workflow.currentTimeMillis()) : at);
    RunSpec s = state.spec;
    AgentWorkflow run = Workflow.newChildWorkflowStub(AgentWorkflow.class, ChildWorkflowOptions.newBuilder()
        .setWorkflowId(s.runId())
        .setTaskQueue(Workflow.getInfo().getTaskQueue())
        .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
        .setStaticSummary(Text.oneLineBytes(s.title(), 200))
        .setMemo(Map.of(MarathonSearchAttributes.TITLE_MEMO, s.title()))
        .setTypedSearchAttributes(SearchAttributes.newBuilder()
            .set(MarathonSearchAttributes.REPO, s.repo())
            .set(MarathonSearchAttributes.MODEL, s.model().model())
            .set(MarathonSearchAttributes.PHASE, Phase.STARTING.label())
            .build())
        .build());
    return run.run(state);
  }

  /**
   * The time a firing's workflow id carries ({@code schedule-<name>-2026-12-04T01:00:00Z}), or null
   * when it carries none: what names the firing's run, here and in {@code ./marathon schedule describe}.
   */
  public static Instant firedAt(String firingId, String schedule) {
    String prefix = PREFIX + schedule + "-";
    if (!firingId.startsWith(prefix)) return null;
    try {
      return Instant.parse(firingId.substring(prefix.length()));
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  /** The run id of schedule {@code schedule}'s firing at {@code at}. */
  public static String runId(String schedule, Instant at) {
    return schedule + "-" + STAMP.format(at);
  }

  /** The run a firing at {@code at} starts: the template's, with its own id, branch and title. */
  static RunState firing(RunState template, Instant at) {
    RunSpec t = template.spec;
    String id = runId(t.runId(), at);
    template.spec = new RunSpec(id, Text.oneLine(t.title() + " (" + SHOWN.format(at) + ")", 200), t.repo(), "marathon/" + id,
        t.model(), t.options(), t.swarm(), null);
    return template;
  }
}
