package dev.marathon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowServiceException;
import org.junit.jupiter.api.Test;

/**
 * Which failures of a follower's read mean "the server is away" (wait for it, keeping the run's
 * worker) and which are the follower's to report: the shapes the SDK throws them in, a service
 * exception around gRPC's status after the client's minute of retries.
 */
class ServerAwayTest {

  private static RuntimeException fromClient(Status status) {
    return new WorkflowServiceException(WorkflowExecution.newBuilder().setWorkflowId("away").build(), "AgentWorkflow",
        new StatusRuntimeException(status));
  }

  @Test
  void aServerDownOrRestartingIsAway() {
    assertEquals("UNAVAILABLE: io exception", RunFollower.unavailable(fromClient(Status.UNAVAILABLE.withDescription("io exception"))));
  }

  @Test
  void aServerHungOrANetworkCutIsAway() {
    assertEquals("DEADLINE_EXCEEDED: deadline exceeded after 9.99s",
        RunFollower.unavailable(fromClient(Status.DEADLINE_EXCEEDED.withDescription("deadline exceeded after 9.99s"))));
  }

  @Test
  void whatTheServerAnsweredIsNot() {
    assertNull(RunFollower.unavailable(fromClient(Status.NOT_FOUND.withDescription("workflow not found"))));
    assertNull(RunFollower.unavailable(fromClient(Status.PERMISSION_DENIED)));
    assertNull(RunFollower.unavailable(new IllegalStateException("a bug of ours")));
  }
}
