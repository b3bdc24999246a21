package dev.marathon.testing;

import dev.marathon.runtime.DataConverters;
import dev.marathon.runtime.MarathonHome;
import dev.marathon.runtime.WorkerHost;
import dev.marathon.workflows.AgentWorkflow;
import dev.marathon.workflows.MarathonSearchAttributes;
import dev.marathon.workflows.RunState;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Path;

/**
 * {@code TestWorkflowEnvironment} with Marathon's real workflow and real activities (HTTP model
 * client, git workspaces, filesystem checkpoint store under {@code home}).
 */
public final class WorkflowHarness implements AutoCloseable {
  public final TestWorkflowEnvironment env;
  public final WorkflowClient client;
  public final MarathonHome home;

  public WorkflowHarness(Path homeDir) {
    this.home = new MarathonHome(homeDir);
    env = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder()
        .setWorkflowClientOptions(WorkflowClientOptions.newBuilder().setDataConverter(DataConverters.marathon()).build())
        .build());
    MarathonSearchAttributes.definitions().forEach(env::registerSearchAttribute);
    Worker worker = env.newWorker(WorkerHost.TASK_QUEUE);
    client = env.getWorkflowClient();
    WorkerHost.register(worker, client, home);
    env.start();
  }

  public AgentWorkflow start(RunState state) {
    AgentWorkflow wf = client.newWorkflowStub(AgentWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(state.spec.runId()).setTaskQueue(WorkerHost.TASK_QUEUE).build());
    WorkflowClient.start(wf::run, state);
    return client.newWorkflowStub(AgentWorkflow.class, state.spec.runId());
  }

  @Override
  public void close() {
    env.close();
  }
}
