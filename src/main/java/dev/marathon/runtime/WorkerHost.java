package dev.marathon.runtime;

import dev.marathon.activities.ModelActivitiesImpl;
import dev.marathon.activities.Prices;
import dev.marathon.activities.Secrets;
import dev.marathon.activities.SwarmActivitiesImpl;
import dev.marathon.activities.ToolActivitiesImpl;
import dev.marathon.activities.WorkspaceActivitiesImpl;
import dev.marathon.activities.model.ModelClient;
import dev.marathon.activities.model.local.LocalModels;
import dev.marathon.activities.notify.NotifyActivitiesImpl;
import dev.marathon.activities.notify.NotifyEndpoints;
import dev.marathon.activities.policy.KeyBindings;
import dev.marathon.activities.policy.WorkerPolicy;
import dev.marathon.activities.sandbox.Sandboxes;
import dev.marathon.activities.store.CheckpointStore;
import dev.marathon.activities.store.Conversations;
import dev.marathon.activities.tools.ToolCatalog;
import dev.marathon.activities.workspace.AllowedOrigins;
import dev.marathon.activities.workspace.Workspaces;
import dev.marathon.workflows.AgentWorkflowImpl;
import dev.marathon.workflows.ScheduledRunImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;

/**
 * Hosts Marathon's workflow and activities on a task queue. The same wiring serves the
 * long-lived {@code ./marathon worker}, the worker inside {@code ./marathon run}, and tests.
 */
public final class WorkerHost implements AutoCloseable {
  public static final String TASK_QUEUE = "marathon";
  /** How a CLI command's short-lived query-only worker names itself: its polls do not mean a worker is running. */
  public static final String QUERY_ONLY_IDENTITY = "marathon-query-only@";
  /**
   * A model call's heartbeat carries what it is writing (watch and the Web UI show it); sent at
   * most every two seconds instead of the SDK's 80% of the heartbeat timeout, so the live view
   * is fresh. Heartbeats are not history events: this costs the run nothing.
   */
  private static final WorkerOptions LIVE_HEARTBEATS = WorkerOptions.newBuilder()
      .setMaxHeartbeatThrottleInterval(Duration.ofSeconds(2)).build();

  private final WorkerFactory factory;
  private final LocalModels localModels;

  private WorkerHost(WorkerFactory factory, LocalModels localModels) {
    this.factory = factory;
    this.localModels = localModels;
  }

  /** Starts polling {@link #TASK_QUEUE} with activities that use {@code home}'s store and workspaces, under the strict policy. */
  public static WorkerHost start(WorkflowClient client, MarathonHome home) {
    return start(client, home, policy(home));
  }

  /** As {@link #start(WorkflowClient, MarathonHome)}, under {@code policy}. */
  public static WorkerHost start(WorkflowClient client, MarathonHome home, WorkerPolicy policy) {
    WorkerFactory factory = WorkerFactory.newInstance(client);
    LocalModels localModels = new LocalModels(home.models());
    register(factory.newWorker(TASK_QUEUE, LIVE_HEARTBEATS), client, home, localModels, policy);
    factory.start();
    return new WorkerHost(factory, localModels);
  }

  /** The local model this worker serves when a run on the {@code local} preset needs it. */
  public LocalModels localModels() {
    return localModels;
  }

  /**
   * A worker with the workflow only, no activities: it can answer queries (by replaying history)
   * when no full worker is running, e.g. for {@code status} after an outage. Any workflow task it
   * happens to process is deterministic, and the activities it schedules wait for a real worker.
   */
  public static WorkerHost startWorkflowOnly(WorkflowClient client) {
    WorkerFactory factory = WorkerFactory.newInstance(client);
    factory.newWorker(TASK_QUEUE, io.temporal.worker.WorkerOptions.newBuilder()
            .setIdentity(QUERY_ONLY_IDENTITY + ProcessHandle.current().pid())
            .build())
        .registerWorkflowImplementationTypes(AgentWorkflowImpl.class, ScheduledRunImpl.class);
    factory.start();
    return new WorkerHost(factory, null);
  }

  /** Registers the workflow and real activities on {@code worker}; {@code client} reaches the server its runs are on. */
  public static void register(Worker worker, WorkflowClient client, MarathonHome home) {
    register(worker, client, home, new LocalModels(home.models()), policy(home));
  }

  /**
   * The strict policy: the default containment only, each key sent only to the host its preset
   * (built in, or in this machine's {@code config.json}) or {@code MARATHON_KEY_HOSTS} binds it to.
   * Never the repository's config: the worker's own configuration alone.
   */
  public static WorkerPolicy policy(MarathonHome home) {
    java.util.Map<String, java.util.List<String>> urls = new java.util.LinkedHashMap<>();
    for (ModelPresets.Preset p : ModelPresets.load(home.config(), null).all()) {
      if (p.keyEnv() != null && p.baseUrl() != null) urls.computeIfAbsent(p.keyEnv(), k -> new java.util.ArrayList<>()).add(p.baseUrl());
    }
    return WorkerPolicy.strict(KeyBindings.of(urls, System.getenv(KeyBindings.ENV)));
  }

  private static void register(Worker worker, WorkflowClient client, MarathonHome home, LocalModels localModels, WorkerPolicy policy) {
    CheckpointStore store = home.openStore();
    Conversations conversations = new Conversations(store, 16);
    ToolCatalog catalog = new ToolCatalog();
    Secrets secrets = Secrets.fromEnvironment();
    Workspaces workspaces = new Workspaces(home.workspaces(), home.hiddenFromCommands(), store, AllowedOrigins.fromEnvironment());
    worker.registerWorkflowImplementationTypes(AgentWorkflowImpl.class, ScheduledRunImpl.class);
    worker.registerActivitiesImplementations(
        new ModelActivitiesImpl(conversations, new ModelClient(Duration.ofMinutes(20)), catalog, Prices.load(home.prices()), secrets, localModels,
            policy.keys()),
        new ToolActivitiesImpl(workspaces, conversations, catalog, secrets, new Sandboxes(home.hiddenFromCommands(), policy)),
        new WorkspaceActivitiesImpl(workspaces, conversations),
        new SwarmActivitiesImpl(client, workspaces, store),
        new NotifyActivitiesImpl(NotifyEndpoints.load(home.config(), System.getenv(NotifyEndpoints.ENV), policy), uiBase(client)));
  }

  /** The Web UI of the server {@code client} reaches, for the links in notifications; null in process. */
  private static String uiBase(WorkflowClient client) {
    String target = client.getWorkflowServiceStubs().getOptions().getTarget();
    return target == null ? null : Connection.uiUrlFor(target);
  }

  @Override
  public void close() {
    factory.shutdown();
    factory.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
    if (localModels != null) localModels.close();
  }
}
