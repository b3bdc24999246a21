package dev.marathon.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.marathon.activities.Json;
import dev.marathon.workflows.MarathonSearchAttributes;
import dev.marathon.workflows.Progress;
import dev.marathon.workflows.RunReport;
import dev.marathon.workflows.RunState;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@link RunInspector}'s view of a run read over the server's HTTP API ({@link ServerHttpApi}), so
 * {@code status}, {@code log}, {@code diff} and {@code export} need not start gRPC. It answers
 * only where it would answer as RunInspector does: a completed run from its result, a live one
 * from the {@code progress} query of a worker that is polling. Otherwise (an unknown run, whose
 * error reads as the server words it over gRPC; no worker, where RunInspector hosts one; a query
 * not answered in time; an answer that does not read as one) it is empty, and the caller asks
 * over gRPC.
 */
public final class HttpRunView {
  private final ServerHttpApi api;
  private final String namespace;
  private final ObjectMapper mapper = DataConverters.mapper();

  public HttpRunView(ServerHttpApi api, String namespace) {
    this.api = api;
    this.namespace = namespace;
  }

  /** As {@link RunInspector#view}, when this way can answer it; {@code wait} bounds the progress query. */
  public Optional<RunInspector.View> view(String runId, Duration wait) {
    return ServerHttpApi.workflowPath(namespace, runId).flatMap(run -> readable(() -> {
      Optional<RunInspector.View> described = api.get(run).map(HttpRunView::of);
      if (described.isEmpty()) return Optional.empty();
      RunInspector.View view = described.get();
      if (view.executionStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
        return report(run, false).map(report -> view.with(report.progress(), report));
      }
      if (!workerPolling()) return Optional.empty();
      return api.post(run + "/query/progress", Json.MAPPER.createObjectNode(), wait).ok()
          .map(answer -> ServerHttpApi.first(answer.path("queryResult")))
          .flatMap(p -> read(p, Progress.class))
          .map(progress -> view.with(progress, null));
    }));
  }

  /**
   * As {@link RunInspector#state}, for a run that completed with its state in its result (what
   * {@code log}, {@code diff} and {@code export} read); empty for any other.
   */
  public Optional<RunState> endedState(String runId) {
    return ServerHttpApi.workflowPath(namespace, runId).flatMap(run -> readable(() -> {
      boolean completed = api.get(run).map(d -> d.path("workflowExecutionInfo").path("status").asText())
          .filter(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED.name()::equals).isPresent();
      return completed ? report(run, true).map(RunReport::state).map(RunState::migrated) : Optional.empty();
    }));
  }

  /** An answer that does not read as the API's (a missing field, a malformed time) is no answer. */
  private static <T> Optional<T> readable(Supplier<Optional<T>> reading) {
    try {
      return reading.get();
    } catch (RuntimeException notAnAnswer) {
      return Optional.empty();
    }
  }

  /**
   * The result of the run at {@code run} (its path), which has completed; {@code withState} false
   * leaves out the carried state, which a view does not show.
   */
  private Optional<RunReport> report(String run, boolean withState) {
    return api.get(run + "/history?historyEventFilterType=HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT")
        .map(h -> ServerHttpApi.first(h.path("history").path("events").path(0).path("workflowExecutionCompletedEventAttributes").path("result")))
        .map(report -> withState || !report.isObject() ? report : ((ObjectNode) report.deepCopy()).without("state"))
        .flatMap(report -> read(report, RunReport.class));
  }

  private boolean workerPolling() {
    long now = Instant.now().getEpochSecond();
    Optional<JsonNode> queue = ServerHttpApi.namespacePath(namespace)
        .flatMap(ns -> api.get(ns + "/task-queues/" + WorkerHost.TASK_QUEUE + "?taskQueueType=TASK_QUEUE_TYPE_WORKFLOW"));
    if (queue.isEmpty()) return false;
    for (JsonNode poller : queue.get().path("pollers")) {
      JsonNode at = poller.get("lastAccessTime");
      if (at == null) continue;
      if (RunInspector.livePoller(now - Instant.parse(at.asText()).getEpochSecond(), poller.path("identity").asText())) return true;
    }
    return false;
  }

  private static RunInspector.View of(JsonNode d) {
    JsonNode info = d.path("workflowExecutionInfo");
    JsonNode sa = info.path("searchAttributes").path("indexedFields");
    var attributes = new RunInspector.Attributes(ServerHttpApi.searchAttribute(sa, MarathonSearchAttributes.PHASE),
        orZero(ServerHttpApi.searchAttribute(sa, MarathonSearchAttributes.TURNS)),
        orZero(ServerHttpApi.searchAttribute(sa, MarathonSearchAttributes.TOOL_CALLS)),
        orZero(ServerHttpApi.searchAttribute(sa, MarathonSearchAttributes.TOKENS)));
    String live = null;
    for (JsonNode a : d.path("pendingActivities")) {
      if (!a.path("activityType").path("name").asText().equals(RunInspector.LIVE_ACTIVITY) || !a.has("heartbeatDetails")) continue;
      JsonNode detail = ServerHttpApi.first(a.get("heartbeatDetails")); // the first, as RunInspector reads it
      live = detail != null && detail.isTextual() ? detail.asText() : null;
      break;
    }
    return new RunInspector.View(info.path("execution").path("workflowId").asText(), info.path("execution").path("runId").asText(),
        WorkflowExecutionStatus.valueOf(info.path("status").asText()), info.path("historyLength").asLong(), attributes, live, null, null);
  }

  private static long orZero(Long v) {
    return v == null ? 0 : v;
  }

  private <T> Optional<T> read(JsonNode value, Class<T> type) {
    if (value == null || !value.isObject()) return Optional.empty();
    try {
      return Optional.ofNullable(mapper.treeToValue(value, type));
    } catch (Exception notThat) {
      return Optional.empty();
    }
  }
}
