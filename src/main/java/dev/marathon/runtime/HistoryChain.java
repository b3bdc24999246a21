package dev.marathon.runtime;

import com.google.protobuf.Message;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.common.WorkflowExecutionHistory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A run's histories (every run of its continue-as-new chain), and the payloads inside them. */
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

  /** All payloads in an event, found by walking its protobuf fields (to measure them). */
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

  private HistoryChain() {}
}
