package dev.marathon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.marathon.activities.Json;
import dev.marathon.runtime.Connection;
import dev.marathon.runtime.Repositories;
import dev.marathon.runtime.RunIds;
import dev.marathon.runtime.Runs;
import dev.marathon.runtime.ServerHttpApi;
import dev.marathon.workflows.MarathonSearchAttributes;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.common.SearchAttributeKey;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "list", mixinStandardHelpOptions = true, description = {"List runs, newest first.",
    "From the server's visibility store (search attributes), so it works without a worker."})
final class ListCommand implements Callable<Integer> {
  static final Set<String> EXECUTION_STATUSES = Set.of("running", "completed", "failed", "canceled", "terminated", "timedout");
  static final Set<String> PHASES = Set.of("starting", "running", "paused", "wrapping-up", "finished", "incomplete", "cancelled");

  @Spec CommandSpec spec;

  @Option(names = "--status", paramLabel = "S",
      description = "running, completed, failed, terminated, timedout, canceled; or a phase: paused, finished, incomplete, cancelled.")
  String status;

  @Option(names = "--repo", paramLabel = "DIR", description = "Only runs on this repository.")
  Path repo;

  @Option(names = "--swarm", paramLabel = "ID", description = "Only the sub-agents of coordinator run ID.")
  String swarm;

  @Option(names = "--limit", defaultValue = "50", description = "At most this many (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--json", description = "Print a JSON array.")
  boolean json;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() throws Exception {
    OptionChecks.atLeast("--limit", limit, 1);
    String query = query();
    ArrayNode array = connection.httpApi()
        .flatMap(api -> overHttp(api, connection.namespace, query, limit))
        .orElseGet(() -> overGrpc(query));
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
        out.println(Json.MAPPER.writeValueAsString(array));
    } else if (array.isEmpty()) {
      out.println("no runs match");
    } else {
      out.printf("%-36s %-10s %-11s %6s %6s %11s %9s  %s%n", "ID", "STATUS", "PHASE", "TURNS", "CALLS", "TOKENS", "COST", "TITLE");
      for (var r : array) {
        out.printf(Locale.ROOT, "%-36s %-10s %-11s %6d %6d %,11d %9s  %s%n", r.path("workflowId").asText(), r.path("status").asText(),
            r.path("phase").asText("-"), r.path("turns").asLong(), r.path("toolCalls").asLong(), r.path("tokens").asLong(),
            String.format(Locale.ROOT, "$%.2f", r.path("costUsd").asDouble()), r.path("title").asText(""));
      }
    }
    out.flush();
    return ExitCodes.OK;
  }

  private ArrayNode overGrpc(String query) {
    try (Connection conn = connection.open(false, spec.commandLine().getErr())) {
      ArrayNode array = Json.MAPPER.createArrayNode();
      for (WorkflowExecutionMetadata m : conn.client().listExecutions(query).limit(limit).toList()) array.add(row(m));
      return array;
    }
  }

  /**
   * The same rows from the server's HTTP API, page by page; empty when it does not answer as the
   * API would (then gRPC is asked). A page that adds nothing, or hands back a token already seen, ends it.
   */
  static Optional<ArrayNode> overHttp(ServerHttpApi api, String namespace, String query, int limit) {
    Optional<String> workflows = ServerHttpApi.namespacePath(namespace).map(ns -> ns + "/workflows?query=" + ServerHttpApi.encoded(query));
    if (workflows.isEmpty()) return Optional.empty();
    ArrayNode array = Json.MAPPER.createArrayNode();
    Set<String> pages = new HashSet<>();
    String page = "";
    try {
      do {
        Optional<JsonNode> answer = api.get(workflows.get() + "&pageSize=" + Math.min(limit - array.size(), 1000)
            + (page.isEmpty() ? "" : "&nextPageToken=" + ServerHttpApi.encoded(page)));
        if (answer.isEmpty()) return Optional.empty();
        int before = array.size();
        for (JsonNode e : answer.get().path("executions")) {
          if (array.size() < limit) array.add(row(e));
        }
        page = answer.get().path("nextPageToken").asText("");
        if (array.size() == before) break;
      } while (!page.isEmpty() && pages.add(page) && array.size() < limit);
    } catch (RuntimeException notAnAnswer) {
      return Optional.empty();
    }
    return Optional.of(array);
  }

  String query() {
    StringBuilder q = new StringBuilder("WorkflowType = 'AgentWorkflow'");
    if (status != null) {
      String s = status.toLowerCase(Locale.ROOT);
      if (EXECUTION_STATUSES.contains(s)) {
        q.append(" AND ExecutionStatus = '").append(s.equals("timedout") ? "TimedOut" : Character.toUpperCase(s.charAt(0)) + s.substring(1)).append("'");
      } else if (PHASES.contains(s)) {
        q.append(" AND ").append(MarathonSearchAttributes.PHASE.getName()).append(" = '").append(s).append("'");
      } else {
        throw new BadInputException("--status must be one of " + EXECUTION_STATUSES + " or a phase " + PHASES);
      }
    }
    if (repo != null) {
      OptionChecks.notEmpty("--repo", repo); // '' would be the current directory
      String path = repo.toAbsolutePath().normalize().toString();
      try {
        path = Repositories.topLevel(repo.toAbsolutePath().normalize()).toString();
      } catch (Repositories.Problem gone) {
        // the repository may be gone; its runs are still listed by the path given
      }
      q.append(" AND ").append(MarathonSearchAttributes.REPO.getName()).append(" = ").append(Runs.quoted(path));
    }
    if (swarm != null) {
      String problem = RunIds.problem(swarm);
      if (problem != null) throw new BadInputException("--swarm: " + problem);
      q.append(" AND ").append(MarathonSearchAttributes.COORDINATOR.getName()).append(" = '").append(swarm).append("'");
    }
    return q.toString();
  }

  static ObjectNode row(WorkflowExecutionMetadata m) {
    Object title = m.getMemo(MarathonSearchAttributes.TITLE_MEMO, String.class);
    return row(m.getExecution().getWorkflowId(), m.getExecution().getRunId(), m.getStatus(), m.getTypedSearchAttributes()::get,
        title == null ? null : title.toString(), m.getStartTime());
  }

  /** {@link #row(WorkflowExecutionMetadata)} from the HTTP API's JSON of one execution. */
  static ObjectNode row(JsonNode e) {
    JsonNode sa = e.path("searchAttributes").path("indexedFields");
    JsonNode title = ServerHttpApi.payload(e.path("memo").path("fields").get(MarathonSearchAttributes.TITLE_MEMO));
    return row(e.path("execution").path("workflowId").asText(), e.path("execution").path("runId").asText(),
        WorkflowExecutionStatus.valueOf(e.path("status").asText()), new Attributes() {
          @Override
          public <T> T get(SearchAttributeKey<T> key) {
            return ServerHttpApi.searchAttribute(sa, key);
          }
        }, title != null && title.isTextual() ? title.asText() : null, Instant.parse(e.path("startTime").asText()));
  }

  /** A run's search attributes, however they were read. */
  interface Attributes {
    <T> T get(SearchAttributeKey<T> key);
  }

  private static ObjectNode row(String workflowId, String runId, WorkflowExecutionStatus status, Attributes sa, String title, Instant start) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("workflowId", workflowId);
    o.put("runId", runId);
    o.put("status", Runs.statusName(status));
    o.put("phase", sa.get(MarathonSearchAttributes.PHASE));
    o.put("repo", sa.get(MarathonSearchAttributes.REPO));
    o.put("model", sa.get(MarathonSearchAttributes.MODEL));
    o.put("coordinator", sa.get(MarathonSearchAttributes.COORDINATOR));
    o.put("turns", orZero(sa.get(MarathonSearchAttributes.TURNS)));
    o.put("toolCalls", orZero(sa.get(MarathonSearchAttributes.TOOL_CALLS)));
    o.put("tokens", orZero(sa.get(MarathonSearchAttributes.TOKENS)));
    Double cost = sa.get(MarathonSearchAttributes.COST);
    o.put("costUsd", cost == null ? 0.0 : cost);
    if (title != null) o.put("title", title);
    o.put("startTime", start.toString());
    return o;
  }

  private static long orZero(Long v) {
    return v == null ? 0 : v;
  }
}
