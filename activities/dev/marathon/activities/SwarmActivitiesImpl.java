package dev.marathon.activities;

import dev.marathon.activities.store.CheckpointStore;
import dev.marathon.activities.store.CorruptObjectException;
import dev.marathon.activities.workspace.SnapshotHistory;
import dev.marathon.activities.workspace.Steps;
import dev.marathon.activities.workspace.Workspace;
import dev.marathon.activities.workspace.WorkspaceException;
import dev.marathon.activities.workspace.Workspaces;
import dev.marathon.workflows.AgentNews;
import dev.marathon.workflows.MarathonSearchAttributes;
import dev.marathon.workflows.RunReport;
import dev.marathon.workflows.api.AgentSighting;
import dev.marathon.workflows.api.CollectInput;
import dev.marathon.workflows.api.CollectResult;
import dev.marathon.workflows.api.SwarmActivities;
import io.temporal.activity.Activity;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A coordinator's view of its sub-agents (from the server) and the merge of their work (in its workspace). */
public final class SwarmActivitiesImpl implements SwarmActivities {
  /** What {@code wait_agents} returns is cut to about this many characters, shared by the agents it reports. */
  static final int MAX_RESULT_CHARS = 60_000;

  private final WorkflowClient client;
  private final Workspaces workspaces;
  private final CheckpointStore store;

  public SwarmActivitiesImpl(WorkflowClient client, Workspaces workspaces, CheckpointStore store) {
    this.client = client;
    this.workspaces = workspaces;
    this.store = store;
  }

  @Override
  public List<AgentSighting> survey(List<String> ids) {
    List<AgentSighting> out = new ArrayList<>(ids.size());
    for (String id : ids) {
      Activity.getExecutionContext().heartbeat(id);
      out.add(sight(id));
    }
    return out;
  }

  private AgentSighting sight(String id) {
    WorkflowStub stub = client.newUntypedWorkflowStub(id);
    WorkflowExecutionDescription d;
    try {
      d = stub.describe();
    } catch (WorkflowNotFoundException e) {
      return new AgentSighting(id, false, null, 0, 0, 0, 0, null);
    }
    SearchAttributes sa = d.getTypedSearchAttributes();
    int turns = (int) number(sa, MarathonSearchAttributes.TURNS);
    int calls = (int) number(sa, MarathonSearchAttributes.TOOL_CALLS);
    long tokens = number(sa, MarathonSearchAttributes.TOKENS);
    Double cost = sa == null ? null : sa.get(MarathonSearchAttributes.COST);
    String phase = sa == null ? null : sa.get(MarathonSearchAttributes.PHASE);
    AgentNews closed = d.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING ? null : ending(id, stub, d.getStatus());
    return new AgentSighting(id, true, phase, turns, calls, tokens, cost == null ? 0 : cost, closed);
  }

  /** How a closed sub-agent ended: its report, or what Temporal says happened to it. */
  /** Called only for closed executions, whose result is there at once. */
  private static AgentNews ending(String id, WorkflowStub stub, WorkflowExecutionStatus status) {
    if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
      RunReport r = stub.getResult(RunReport.class);
      var p = r.progress();
      return new AgentNews(id, AgentNews.Kind.ENDED, r.outcome().name().toLowerCase(Locale.ROOT), null,
          r.summary(), null, r.head(), p.turn(), p.toolCalls(), p.usage().totalTokens(), p.usage().costUsd(), p.lastTool());
    }
    String word = status.name().replace("WORKFLOW_EXECUTION_STATUS_", "").toLowerCase(Locale.ROOT).replace('_', ' ');
    String reason;
    try {
      stub.getResult(RunReport.class);
      reason = word;
    } catch (RuntimeException e) {
      reason = word + ": " + (e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : e.getMessage());
    }
    return new AgentNews(id, AgentNews.Kind.ENDED, word, reason, null, null, null, 0, 0, 0, 0, null);
  }

  private static long number(SearchAttributes sa, SearchAttributeKey<Long> key) {
    Long v = sa == null ? null : sa.get(key);
    return v == null ? 0 : v;
  }

  @Override
  public CollectResult collect(CollectInput input) {
    Workspace ws = workspaces.get(input.coordinator());
    try (Steps.Lease lease = ws.steps().lease(() -> Activity.getExecutionContext().heartbeat(null))) {
      List<SnapshotHistory.Merge> merges = new ArrayList<>();
      List<CollectInput.Collectible> merged = new ArrayList<>();
      for (CollectInput.Collectible a : input.agents()) {
        if (a.head() == null) continue;
        merges.add(new SnapshotHistory.Merge(a.head(), "marathon: merge sub-agent " + a.id() + ": " + a.title()
            + "\n\nIts branch: " + a.branch() + " (" + a.outcome() + ")"));
        merged.add(a);
      }
      SnapshotHistory.Merged result = ws.history().merge(input.workspaceRef(), merges, "@" + input.atEpochSeconds() + " +0000");
      List<String> conflicted = new ArrayList<>();
      StringBuilder text = new StringBuilder();
      int share = Math.max(400, MAX_RESULT_CHARS / Math.max(1, input.agents().size()));
      for (CollectInput.Collectible a : input.agents()) {
        int i = merged.indexOf(a);
        List<String> conflicts = i < 0 ? List.of() : result.conflicts().get(i);
        if (!conflicts.isEmpty()) conflicted.add(a.id());
        text.append(report(a, i >= 0, conflicts, share)).append('\n');
      }
      if (!conflicted.isEmpty()) {
        text.append("Conflicts were committed with their markers (<<<<<<< ======= >>>>>>>): resolve them in the files listed,"
            + " then commit.\n");
      }
      String ref = store.putText(text.toString());
      return new CollectResult(result.snapshot(), ref, text.length(), conflicted);
    } catch (WorkspaceException e) {
      throw Failures.workspace(e);
    } catch (CorruptObjectException e) {
      throw Failures.corrupt(e);
    }
  }

  private String report(CollectInput.Collectible a, boolean merged, List<String> conflicts, int share) {
    StringBuilder sb = new StringBuilder("## ").append(a.id()).append(" — ").append(a.title()).append('\n');
    sb.append("outcome: ").append(a.outcome());
    if (a.reason() != null) sb.append(" (").append(a.reason()).append(')');
    sb.append("\nbranch: ").append(a.branch()).append('\n');
    if (merged) {
      sb.append(conflicts.isEmpty() ? "merged into your workspace (clean)\n"
          : "merged with CONFLICTS in: " + String.join(", ", conflicts) + "\n");
    } else if ("paused".equals(a.outcome())) {
      sb.append("not merged: it is paused and waits for an operator (or cancel it and spawn a new agent)\n");
    } else {
      sb.append("nothing to merge\n");
    }
    String report = a.reportRef() != null ? store.getText(a.reportRef()) : a.summary();
    if (report != null && !report.isBlank()) {
      sb.append("report:\n").append(report.length() > share ? report.substring(0, share) + "… [cut]" : report).append('\n');
    }
    return sb.toString();
  }
}
