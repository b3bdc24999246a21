package dev.marathon.runtime;

import dev.marathon.activities.Json;
import dev.marathon.workflows.Progress;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Loads the classes a command and a worker use — the Temporal client and its gRPC, protobuf and
 * netty stack, a worker with Marathon's workflow and activities registered, Jackson — without a
 * server and without starting anything. The launcher runs it once per build with
 * {@code -XX:DumpLoadedClassList} and archives that list: every later JVM maps those ~6,000 classes from the archive
 * instead of loading them, which is most of a command's and a fresh worker's start-up.
 */
public final class ClassWarmUp {
  /** @param scratch an empty directory for the worker's store and workspaces (nothing is written to them) */
  public static void run(Path scratch) throws Exception {
    WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:1").build());
    try {
      // One call on the raw channel to a port nothing listens on (no retries): loads the transport
      // and HTTP/2 classes, and fails at once.
      try {
        io.temporal.api.workflowservice.v1.WorkflowServiceGrpc.newBlockingStub(service.getRawChannel())
            .withDeadlineAfter(Duration.ofMillis(300).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
            .getSystemInfo(io.temporal.api.workflowservice.v1.GetSystemInfoRequest.getDefaultInstance());
      } catch (RuntimeException refused) {
        // expected: there is no server
      }
      WorkflowClient client = WorkflowClient.newInstance(service,
          WorkflowClientOptions.newBuilder().setDataConverter(DataConverters.marathon()).build());
      WorkerFactory factory = WorkerFactory.newInstance(client);
      WorkerHost.register(factory.newWorker(WorkerHost.TASK_QUEUE), client, new MarathonHome(scratch));
      Json.MAPPER.writeValueAsString(Json.MAPPER.readTree("{\"warm\":true}"));
      Progress.class.getDeclaredConstructors();
      // The HTTP API's path of list, status, log: a request to a port nothing listens on, and a result read as a run's.
      ServerHttpApi api = new ServerHttpApi("http://127.0.0.1:1");
      new HttpRunView(api, "default").endedState("warm-up");
      DataConverters.mapper().readValue("{\"outcome\":\"FINISHED\",\"summary\":\"warm\"}", dev.marathon.workflows.RunReport.class);
    } finally {
      service.shutdownNow();
    }
  }

  private ClassWarmUp() {}
}
