package dev.marathon.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.marathon.activities.Json;
import dev.marathon.runtime.Connection;
import dev.marathon.runtime.RunInspector;
import dev.marathon.runtime.HttpRunView;
import dev.marathon.runtime.Runs;
import dev.marathon.workflows.Progress;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "status", mixinStandardHelpOptions = true, description = "Show how a run is doing: phase, turn, plan, usage, branch.")
final class StatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin RunIdArgument run;

  @Option(names = "--json", description = "Print one JSON object.")
  boolean json;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() throws Exception {
    String address = connection.address();
    Optional<RunInspector.View> fast = connection.httpApi()
        .flatMap(api -> new HttpRunView(api, connection.namespace).view(run.value, Duration.ofSeconds(3)));
    if (fast.isPresent()) return print(fast.get(), Connection.uiUrlFor(address), connection.namespace);
    try (Connection conn = connection.open(false, spec.commandLine().getErr())) {
      return print(new RunInspector(new Runs(conn.client())).view(run.value), conn.uiUrl(), conn.namespace());
    }
  }

  private int print(RunInspector.View view, String uiUrl, String namespace) throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    out.println(json ? Json.MAPPER.writeValueAsString(toJson(view, uiUrl, namespace)) : human(view, uiUrl, namespace));
    out.flush();
    return ExitCodes.OK;
  }

  /** @param uiUrl the Web UI's base URL, or null when the server has none */
  static ObjectNode toJson(RunInspector.View view, String uiUrl, String namespace) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    Progress p = view.progress();
    o.put("workflowId", view.workflowId());
    o.put("runId", view.runId());
    o.put("status", view.status());
    if (p != null) {
      ObjectNode fromWorkflow = Json.MAPPER.valueToTree(p);
      fromWorkflow.remove("workflowId");
      o.setAll(fromWorkflow);
      if (p.containment() != null) {
        o.put("sandboxed", p.containment().sandbox());
        if (!p.containment().sandbox()) o.put("warning", p.containment().describe());
      }
    } else {
      // No worker could answer: what the search attributes say.
      o.put("phase", view.attributes().phase());
      o.put("turn", view.attributes().turns());
      o.put("toolCalls", view.attributes().toolCalls());
      o.putArray("plan");
      o.putObject("usage").put("totalTokens", view.attributes().tokens());
      o.put("note", "no worker answered the progress query; showing search attributes only");
    }
    if (view.running() && view.liveOutput() != null) o.put("modelNow", view.liveOutput());
    o.put("historyLength", view.historyLength());
    if (uiUrl != null) o.put("ui", Ui.executionUrl(uiUrl, namespace, view.workflowId(), view.runId()));
    return o;
  }

  /** Sub-agents by status, e.g. {@code 300 sub-agents: 12 running, 280 finished, collected, 8 queued}. */
  static String swarmLine(Progress p) {
    java.util.Map<String, Integer> byStatus = new java.util.TreeMap<>();
    for (Progress.AgentRow a : p.agents()) byStatus.merge(a.status(), 1, Integer::sum);
    StringBuilder sb = new StringBuilder().append(p.agents().size()).append(" sub-agents:");
    byStatus.forEach((status, n) -> sb.append(' ').append(n).append(' ').append(status).append(';'));
    return sb.substring(0, sb.length() - 1) + " (./marathon list --swarm " + p.workflowId() + ")";
  }

  /** @param uiUrl the Web UI's base URL, or null when the server has none */
  static String human(RunInspector.View view, String uiUrl, String namespace) {
    Progress p = view.progress();
    StringBuilder sb = new StringBuilder();
    String id = view.workflowId();
    sb.append(id).append(": ").append(view.status());
    if (p == null) return sb.append(" (no worker answered; start one with ./marathon worker)").toString();
    sb.append(" · ").append(p.phase()).append(" · turn ").append(p.turn()).append(" · ").append(p.toolCalls()).append(" tool calls\n");
    if (p.containment() != null && !p.containment().sandbox()) {
      sb.append("  ⚠ WARNING: ").append(p.containment().describe()).append('\n'); // loud, and first: not lost below
    }
    sb.append("  task:   ").append(p.title()).append('\n');
    sb.append("  branch: ").append(p.branch()).append(" in ").append(p.repo()).append('\n');
    sb.append(String.format(Locale.ROOT, "  usage:  %,d prompt + %,d completion tokens · $%.4f · model %s%n",
        p.usage().promptTokens(), p.usage().completionTokens(), p.usage().costUsd(), p.model()));
    if (p.swarmUsage() != null) {
      sb.append(String.format(Locale.ROOT, "  swarm usage: %,d tokens · $%.4f (the coordinator and its sub-agents)%n",
          p.swarmUsage().totalTokens(), p.swarmUsage().costUsd()));
    }
    if (p.lastTool() != null) sb.append("  last:   ").append(p.lastTool()).append('\n');
    String live = view.running() ? view.liveOutput() : null;
    if (live != null) sb.append("  model:  ").append(WatchCommand.lastLines(live, 1)).append('\n');
    if (!p.plan().isEmpty()) sb.append("  plan:   ").append(RunFollower.plan(p.plan())).append('\n');
    if (!p.agents().isEmpty()) sb.append("  swarm:  ").append(swarmLine(p)).append('\n');
    if (p.pause() != null) sb.append("  paused: ").append(p.pause().reason()).append('\n');
    if (p.summary() != null) sb.append("  summary: ").append(p.summary()).append('\n');
    if (uiUrl != null) sb.append("  web ui: ").append(Ui.runUrl(uiUrl, namespace, id)).append('\n');
    return sb.toString().stripTrailing();
  }
}
