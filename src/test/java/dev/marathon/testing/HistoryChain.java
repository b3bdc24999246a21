package dev.marathon.testing;

import com.google.protobuf.Message;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.common.WorkflowExecutionHistory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The histories of a run's continue-as-new chain, and the payloads inside them. */
public final class HistoryChain {

  /** Every run of the chain ending at the workflow's latest run, oldest first. */
  public static List<WorkflowExecutionHistory> fetch(WorkflowClient client, String workflowId) {
    List<WorkflowExecutionHistory> chain = new ArrayList<>();
    WorkflowExecutionHistory latest = client.fetchHistory(workflowId);
    chain.add(latest);
    String previous = continuedFrom(latest);
    while (previous != null && !previous.isEmpty()) {
      WorkflowExecutionHistory h = client.fetchHistory(workflowId, previous);
      chain.add(h);
      previous = continuedFrom(h);
    }
    Collections.reverse(chain);
    return chain;
  }

  private static String continuedFrom(WorkflowExecutionHistory h) {
    HistoryEvent first = h.getEvents().get(0);
    return first.getWorkflowExecutionStartedEventAttributes().getContinuedExecutionRunId();
  }

  /** All payloads in an event, found by walking its protobuf fields. */
  public static List<Payload> payloads(HistoryEvent event) {
    List<Payload> out = new ArrayList<>();
    collect(event, out);
    return out;
  }

  private static void collect(Message m, List<Payload> out) {
    if (m instanceof Payload p) {
      out.add(p);
      return;
    }
    m.getAllFields().forEach((field, value) -> {
      if (value instanceof Message child) collect(child, out);
      else if (value instanceof List<?> list) for (Object o : list) if (o instanceof Message child) collect(child, out);
    });
  }

  public static WorkflowExecution execution(WorkflowExecutionHistory h) {
    return h.getWorkflowExecution();
  }

  private HistoryChain() {}
}
