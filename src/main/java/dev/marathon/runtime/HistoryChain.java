package dev.marathon.runtime;

import io.temporal.client.WorkflowClient;
import io.temporal.common.WorkflowExecutionHistory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A run's histories: every run of its continue-as-new chain. */
public final class HistoryChain {

  /** The runs of the chain ending at the workflow's latest run, oldest first. */
  public static List<WorkflowExecutionHistory> fetch(WorkflowClient client, String workflowId) {
    List<WorkflowExecutionHistory> chain = new ArrayList<>();
    WorkflowExecutionHistory h = client.fetchHistory(workflowId);
    while (true) {
      chain.add(h);
      String previous = h.getEvents().get(0).getWorkflowExecutionStartedEventAttributes().getContinuedExecutionRunId();
      if (previous.isEmpty()) break;
      h = client.fetchHistory(workflowId, previous);
    }
    Collections.reverse(chain);
    return chain;
  }

  private HistoryChain() {}
}
