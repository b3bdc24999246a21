package dev.marathon.testing;

import com.google.protobuf.Message;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.common.WorkflowExecutionHistory;
import java.util.ArrayList;
import java.util.List;

/** The histories of a run's continue-as-new chain, and the payloads inside them. */
public final class HistoryChain {

  public static List<WorkflowExecutionHistory> fetch(WorkflowClient client, String workflowId) {
    return dev.marathon.runtime.HistoryChain.fetch(client, workflowId);
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

  private HistoryChain() {}
}
