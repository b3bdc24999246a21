package dev.marathon.runtime;

import dev.marathon.workflows.RunState;
import dev.marathon.workflows.ScheduledRun;
import dev.marathon.workflows.ScheduledRunImpl;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionExecutionStartWorkflow;
import io.temporal.client.schedules.ScheduleActionResult;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.client.schedules.ScheduleHandle;
import io.temporal.client.schedules.ScheduleListActionStartWorkflow;
import io.temporal.client.schedules.ScheduleListDescription;
import io.temporal.client.schedules.ScheduleOptions;
import io.temporal.client.schedules.SchedulePolicy;
import io.temporal.client.schedules.ScheduleSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Marathon's jobs on Temporal Schedules: each firing starts a {@link ScheduledRun}, which starts
 * one ordinary run from the schedule's template and waits for it, so the overlap policy (skip, by
 * default) applies while that run is still going. The schedules are Temporal's own: durable, on
 * the Web UI's Schedules page, and listed by {@code temporal schedule list}.
 */
public final class Schedules {
  private static final String WORKFLOW_TYPE = "ScheduledRun";

  private final ScheduleClient client;

  public Schedules(WorkflowClient workflows) {
    this.client = ScheduleClient.newInstance(workflows.getWorkflowServiceStubs(), ScheduleClientOptions.newBuilder()
        .setNamespace(workflows.getOptions().getNamespace()).setDataConverter(DataConverters.marathon()).build());
  }

  /** A schedule as {@code list} shows it. */
  public record Listed(String name, String title, boolean paused, List<Instant> next, List<String> recentRuns) {}

  /** Creates schedule {@code name} firing at {@code cron} (UTC), each firing a run of {@code template}. */
  public void create(String name, String cron, ScheduleOverlapPolicy overlap, RunState template) {
    Schedule schedule = Schedule.newBuilder()
        .setAction(ScheduleActionStartWorkflow.newBuilder()
            .setWorkflowType(ScheduledRun.class)
            .setArguments(template)
            .setOptions(WorkflowOptions.newBuilder().setWorkflowId(ScheduledRunImpl.PREFIX + name).setTaskQueue(WorkerHost.TASK_QUEUE).build())
            .build())
        .setSpec(ScheduleSpec.newBuilder().setCronExpressions(List.of(cron)).build())
        .setPolicy(SchedulePolicy.newBuilder().setOverlap(overlap).build())
        .build();
    // The server keeps a cron expression as calendar specs: the expression itself is kept for people in the memo.
    client.createSchedule(name, schedule, ScheduleOptions.newBuilder().setMemo(Map.of("title", template.spec.title(), "cron", cron)).build());
  }

  /** Marathon's schedules (those whose firings are {@link ScheduledRun}s). */
  public List<Listed> list() {
    List<Listed> out = new ArrayList<>();
    for (ScheduleListDescription d : client.listSchedules().toList()) {
      if (!(d.getSchedule().getAction() instanceof ScheduleListActionStartWorkflow a) || !a.getWorkflow().equals(WORKFLOW_TYPE)) continue;
      Object title = d.getMemo("title", String.class);
      out.add(new Listed(d.getScheduleId(), title == null ? "" : title.toString(), d.getSchedule().getState().isPaused(),
          d.getInfo().getNextActionTimes(), runs(d.getScheduleId(), d.getInfo().getRecentActions())));
    }
    return out;
  }

  /** The schedule named {@code name}. */
  /** Whether a schedule is Marathon's (its firings are {@link ScheduledRun}s): the only ones its commands act on. */
  public static boolean isMarathons(io.temporal.client.schedules.ScheduleDescription d) {
    return d.getSchedule().getAction() instanceof io.temporal.client.schedules.ScheduleActionStartWorkflow a
        && a.getWorkflowType().equals(WORKFLOW_TYPE);
  }

  public ScheduleHandle handle(String name) {
    return client.getHandle(name);
  }

  /** The run ids of a schedule's recent firings, oldest first. */
  public static List<String> runs(String name, List<ScheduleActionResult> recent) {
    List<String> ids = new ArrayList<>();
    for (ScheduleActionResult r : recent) {
      if (!(r.getAction() instanceof ScheduleActionExecutionStartWorkflow w)) continue;
      Instant at = ScheduledRunImpl.firedAt(w.getWorkflowId(), name);
      if (at != null) ids.add(ScheduledRunImpl.runId(name, at));
    }
    return ids;
  }
}
