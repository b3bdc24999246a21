package dev.marathon.testing;

import dev.marathon.runtime.DataConverters;
import dev.marathon.workflows.AgentWorkflowImpl;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;

/** Replays a history against today's workflow code, decoding payloads as Marathon's workers do. */
public final class Replays {

  public static void replay(WorkflowExecutionHistory history) throws Exception {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder()
        .setWorkflowClientOptions(WorkflowClientOptions.newBuilder().setDataConverter(DataConverters.marathon()).build())
        .build())) {
      WorkflowReplayer.replayWorkflowExecution(history, env, AgentWorkflowImpl.class);
    }
  }

  private Replays() {}
}
