package dev.marathon.runtime;

import dev.marathon.activities.Json;
import dev.marathon.workflows.AgentWorkflowImpl;
import dev.marathon.workflows.Progress;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Loads the classes a command and a worker use, without a real server. The launcher runs it once
 * per build, with a bare environment (so no {@code MARATHON_STORE} or the like points the worker's
 * registrations at the user's store or workspaces), with {@code -XX:DumpLoadedClassList}
 * and archives that list: every later JVM maps those classes from the archive instead of loading
 * and verifying them, which is most of a command's and a fresh worker's start-up.
 *
 * <p>What a worker that resumes a run after a crash loads, in the order it loads it: the client
 * talking HTTP/2 to a server (here Temporal's test services in this JVM, on a loopback port), a
 * worker's registrations and its polls (by a worker with the workflow alone: nothing that runs on
 * it can act on this machine), the replay of a run's history (a recorded run,
 * {@value #RECORDED_RUN}: the SDK's replay machinery, the history's protobuf messages, the
 * workflow's classes, the payloads' Jackson deserializers), then its activities (every class of
 * Marathon's own, loaded without being initialized). Measured (2 cores): with the replay and the
 * real connection in the archive, a fresh worker polled 562–595 ms after it started (650–661 ms
 * before) and replayed a 785-event history in 550–619 ms (702–727 ms before).
 */
public final class ClassWarmUp {
  /** The replay test's {@code tool-batches.json}; a test keeps the two the same. */
  static final String RECORDED_RUN = "/marathon/warm-up-history.json";
  /** Where the test services listen, and the client connects: IPv4's loopback, whatever the JVM prefers. */
  private static final String LOOPBACK = "127.0.0.1";

  /** What was loaded: the events replayed and Marathon's classes. */
  public record Loaded(int eventsReplayed, int marathonClasses) {}

  /** @param scratch an empty directory for the worker's store and workspaces (nothing is written to them) */
  public static Loaded run(Path scratch) throws Exception {
    int events;
    try (TestServicesStarter services = new TestServicesStarter(false, 0)) {
      Server server = loopbackServer(services);
      try {
        WorkflowServiceStubs service = WorkflowServiceStubs.newConnectedServiceStubs( // a health check, as a worker's connection makes
            WorkflowServiceStubsOptions.newBuilder().setTarget(LOOPBACK + ":" + server.getPort()).build(), Duration.ofSeconds(10));
        try {
          WorkflowClient client = WorkflowClient.newInstance(service,
              WorkflowClientOptions.newBuilder().setDataConverter(DataConverters.marathon()).build());
          // A worker's registrations (never started: its activities would run what anyone started on this server).
          Worker registered = WorkerFactory.newInstance(client).newWorker(WorkerHost.TASK_QUEUE);
          WorkerHost.register(registered, client, new MarathonHome(scratch));
          // Polls, by a worker with the workflow alone (its code has no effects but commands to this server).
          WorkerFactory polling = WorkerFactory.newInstance(client);
          polling.newWorker("marathon-warm-up-" + UUID.randomUUID()).registerWorkflowImplementationTypes(AgentWorkflowImpl.class);
          polling.start();
          try {
            events = replay(registered);
          } finally {
            polling.shutdownNow();
            polling.awaitTermination(10, TimeUnit.SECONDS);
          }
        } finally {
          service.shutdownNow();
        }
      } finally {
        server.shutdownNow();
      }
    }
    Json.MAPPER.writeValueAsString(Json.MAPPER.readTree("{\"warm\":true}"));
    Progress.class.getDeclaredConstructors();
    // The HTTP API's path of list, status, log: a request to a port nothing listens on, and a result read as a run's.
    ServerHttpApi api = new ServerHttpApi("http://127.0.0.1:1");
    new HttpRunView(api, "default").endedState("warm-up");
    DataConverters.mapper().readValue("{\"outcome\":\"FINISHED\",\"summary\":\"warm\"}", dev.marathon.workflows.RunReport.class);
    return new Loaded(events, loadMarathonClasses());
  }

  /**
   * Replays the recorded run on {@code worker}; the events replayed, or 0 when today's workflow
   * code does not replay it (a change under way): the classes loaded up to there are archived all
   * the same, and the replay test is what reports such a change.
   */
  static int replay(Worker worker) throws Exception {
    WorkflowExecutionHistory recorded = recordedRun();
    try {
      worker.replayWorkflowExecution(recorded);
      return recorded.getEvents().size();
    } catch (RuntimeException notDeterministic) {
      return 0;
    }
  }

  /**
   * Temporal's test services on a loopback port the system picks (Temporal's own port-bound test
   * server listens on every interface, and on a port chosen before it binds).
   */
  private static Server loopbackServer(TestServicesStarter services) throws IOException {
    ServerBuilder<?> builder = NettyServerBuilder.forAddress(new InetSocketAddress(LOOPBACK, 0), InsecureServerCredentials.create());
    GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
    return builder.build().start();
  }

  static WorkflowExecutionHistory recordedRun() throws IOException {
    try (InputStream in = ClassWarmUp.class.getResourceAsStream(RECORDED_RUN)) {
      if (in == null) throw new IOException(RECORDED_RUN + " is missing from the build");
      return WorkflowExecutionHistory.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /** Every class of Marathon's own (in the jar, or the classes directory), loaded but not initialized. */
  static int loadMarathonClasses() throws IOException, URISyntaxException {
    Path where = Path.of(ClassWarmUp.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> names;
    if (Files.isDirectory(where)) {
      try (Stream<Path> files = Files.walk(where)) {
        names = files.map(p -> where.relativize(p).toString().replace('\\', '/')).toList();
      }
    } else {
      try (JarFile jar = new JarFile(where.toFile())) {
        names = jar.stream().map(e -> e.getName()).toList();
      }
    }
    int loaded = 0;
    ClassLoader loader = ClassWarmUp.class.getClassLoader();
    for (String name : names) {
      if (!name.startsWith("dev/marathon/") || !name.endsWith(".class")) continue;
      try {
        Class.forName(name.substring(0, name.length() - ".class".length()).replace('/', '.'), false, loader);
        loaded++;
      } catch (ClassNotFoundException | LinkageError skipped) {
        // a class of an optional part that cannot load here is simply not archived
      }
    }
    return loaded;
  }

  private ClassWarmUp() {}
}
