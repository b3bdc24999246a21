package dev.marathon.runtime;

import dev.marathon.workflows.MarathonSearchAttributes;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A client connection to a Temporal server, found or started. With nothing listening on a local
 * address, Marathon starts the real dev server in the background when the Temporal CLI is
 * installed (runs then survive this process, and the Web UI stays up); otherwise it falls back to
 * the in-process Java test server and warns that runs will not survive the process.
 */
public final class Connection implements AutoCloseable {
  private final WorkflowServiceStubs service;
  private final WorkflowClient client;
  private final String namespace;
  private final String uiUrl;
  private final TestWorkflowEnvironment inProcess;
  private final ChannelLoop loop; // null in-process
  /** The dev server this connection started in the background, or null. */
  private final OwnServer own;

  /** How this connection started its server: what starts it again. */
  private record OwnServer(Path cli, String address, MarathonHome home) {}

  private Connection(WorkflowServiceStubs service, WorkflowClient client, String namespace, String uiUrl, TestWorkflowEnvironment inProcess,
      ChannelLoop loop, OwnServer own) {
    this.loop = loop;
    this.own = own;
    this.service = service;
    this.client = client;
    this.namespace = namespace;
    this.uiUrl = uiUrl;
    this.inProcess = inProcess;
  }

  public static String defaultAddress() {
    String env = System.getenv("TEMPORAL_ADDRESS");
    return env != null && !env.isBlank() ? env : "127.0.0.1:7233";
  }

  /**
   * Connects to {@code address}; when nothing answers there and {@code startIfMissing} is set
   * (and the address is on this machine), starts a server as described on the class.
   *
   * @param startIfMissing set by the commands that start runs or host workers; they also make sure
   *     Marathon's search attributes are registered (runs update them), which read-only commands
   *     like {@code status} need not pay for
   */
  public static Connection open(String address, String namespace, boolean startIfMissing, MarathonHome home, PrintWriter err) {
    ChannelLoop loop = new ChannelLoop();
    try {
      Connection c = open(address, namespace, startIfMissing, home, err, loop);
      if (c.inProcess != null) loop.close();
      return c;
    } catch (RuntimeException e) {
      loop.close();
      throw e;
    }
  }

  private static Connection open(String address, String namespace, boolean startIfMissing, MarathonHome home, PrintWriter err,
      ChannelLoop loop) {
    Optional<WorkflowServiceStubs> service = tryConnect(address, Duration.ofSeconds(3), loop);
    OwnServer own = null;
    if (service.isEmpty()) {
      if (!startIfMissing || !isLocal(address)) {
        throw new UnreachableServerException("no Temporal server answers at " + address
            + (isLocal(address) ? "; start one with ./marathon server" : ""));
      }
      Optional<Path> cli = TemporalCli.find(home);
      if (cli.isEmpty()) {
        err.println("warning: no Temporal server at " + address + " and the Temporal CLI is not installed"
            + " (scripts/install-temporal-cli installs it).");
        err.println("warning: using the in-process Java test server: this run will NOT survive this process"
            + " and has no Web UI.");
        return inProcess(namespace);
      }
      own = new OwnServer(cli.get(), address, home);
      service = Optional.of(startDevServer(cli.get(), address, home, err, loop, () -> true));
    }
    Connection c = of(service.get(), namespace, uiUrlFor(address), null, loop, own);
    if (startIfMissing) c.ensureSearchAttributes(err);
    return c;
  }

  private static Connection of(WorkflowServiceStubs service, String namespace, String uiUrl, TestWorkflowEnvironment env, ChannelLoop loop,
      OwnServer own) {
    WorkflowClient client = WorkflowClient.newInstance(service,
        WorkflowClientOptions.newBuilder().setNamespace(namespace).setDataConverter(DataConverters.marathon()).build());
    return new Connection(service, client, namespace, uiUrl, env, loop, own);
  }

  private static Connection inProcess(String namespace) {
    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder()
        .setUseTimeskipping(false)
        .setWorkflowClientOptions(WorkflowClientOptions.newBuilder().setNamespace(namespace).setDataConverter(DataConverters.marathon()).build())
        .build());
    MarathonSearchAttributes.definitions().forEach(env::registerSearchAttribute);
    return new Connection(env.getWorkflowServiceStubs(), env.getWorkflowClient(), namespace, null, env, null, null);
  }

  /**
   * Starts the dev server in the background, unless another command of this home started it
   * meanwhile (the start is under {@link MarathonHome#lockServer}, and whether anything answers is
   * asked again there) or {@code wanted} no longer holds there: then null.
   */
  private static WorkflowServiceStubs startDevServer(Path cli, String address, MarathonHome home, PrintWriter err, ChannelLoop loop,
      java.util.function.BooleanSupplier wanted) {
    try (java.io.Closeable held = home.lockServer()) {
      Optional<WorkflowServiceStubs> meanwhile = tryConnect(address, Duration.ofSeconds(1), loop);
      if (meanwhile.isPresent()) return meanwhile.get();
      return wanted.getAsBoolean() ? startLocked(cli, address, home, err, loop) : null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the Temporal dev server: " + e.getMessage(), e);
    }
  }

  private static WorkflowServiceStubs startLocked(Path cli, String address, MarathonHome home, PrintWriter err, ChannelLoop loop)
      throws IOException {
    HostPort hp = HostPort.parse(address);
    try {
      DevServer server = new DevServer(cli, home.temporalDb(), hp.host(), hp.port(), hp.port() + 1000, ServerHttpApi.freePort(), List.of());
      long pid = server.startInBackground(home.serverLog(), home.serverPid());
      Optional<ProcessHandle> process = ProcessHandle.of(pid);
      Optional<WorkflowServiceStubs> service = Optional.empty();
      for (int i = 0; i < 60 && service.isEmpty() && process.map(ProcessHandle::isAlive).orElse(false); i++) {
        service = tryConnect(address, Duration.ofSeconds(1), loop);
        if (service.isEmpty()) Thread.sleep(500);
      }
      if (service.isEmpty() || !process.map(ProcessHandle::isAlive).orElse(false)) {
        service.ifPresent(WorkflowServiceStubs::shutdownNow);
        throw new UnreachableServerException("started the Temporal dev server (pid " + pid + ") but it did not answer at "
            + address + " within 30 s, or exited; see " + home.serverLog());
      }
      ServerHttpApi.record(home, hp.port(), server.httpPort(), process.get()); // answering now
      err.println("Started the Temporal dev server in the background (pid " + pid + "): Web UI " + server.uiUrl()
          + ", database " + home.temporalDb() + ", log " + home.serverLog() + ". Stop it with ./marathon server --stop.");
      return service.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnreachableServerException("interrupted while starting the Temporal dev server");
    }
  }

  /**
   * Starts again the dev server this connection started, when it no longer answers (killed, or
   * dead at 3 a.m.): the same database and address, so its runs go on where they were, and this
   * connection's channel finds it by itself. A server this connection did not start is never
   * replaced: another may have stood at that address (the real server on PostgreSQL), and a dev
   * server there would hold none of its runs; nor one stopped with {@code ./marathon server --stop},
   * which deletes the record of its process. Returns whether a server answers there now.
   */
  public boolean restartOwnServer(PrintWriter err) {
    if (own == null) return false;
    try {
      WorkflowServiceStubs answering = startDevServer(own.cli(), own.address(), own.home(), err, loop, () -> {
        if (!diedUnstopped(own.home())) return false; // stopped meanwhile
        err.println("[marathon] the Temporal dev server this command started does not answer: starting it again");
        return true;
      });
      if (answering != null) answering.shutdownNow();
      return answering != null;
    } catch (RuntimeException e) {
      err.println("[marathon] could not start it again: " + e.getMessage());
      return false;
    } finally {
      err.flush();
    }
  }

  /** Whether the background server's record is still there (not stopped) and names a process that is gone. */
  private static boolean diedUnstopped(MarathonHome home) {
    java.util.OptionalLong pid = home.recordedServerPid();
    return pid.isPresent() && ProcessHandle.of(pid.getAsLong()).map(p -> !p.isAlive()).orElse(true);
  }

  static Optional<WorkflowServiceStubs> tryConnect(String address, Duration timeout, ChannelLoop loop) {
    WorkflowServiceStubsOptions options = ServerAuth.apply(WorkflowServiceStubsOptions.newBuilder().setTarget(address)
        .setChannelInitializer(loop::initialize), System.getenv()).build();
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(options);
    try {
      stubs.connect(timeout);
      return Optional.of(stubs);
    } catch (RuntimeException unavailable) {
      stubs.shutdownNow(); // its channel and connection-manager thread would outlive it, one per try
      return Optional.empty();
    }
  }

  /** Registers Marathon's search attributes where missing (the dev server gets them as flags). */
  void ensureSearchAttributes(PrintWriter err) {
    try {
      addMissingSearchAttributes(service, namespace);
    } catch (RuntimeException e) {
      err.println("warning: cannot register Marathon's search attributes on " + namespace + " (" + e.getMessage()
          + "); register them with `temporal operator search-attribute create`, or runs will fail to update them");
    }
  }

  /** Adds those of Marathon's search attributes that {@code namespace} lacks; what is there stays. */
  static void addMissingSearchAttributes(WorkflowServiceStubs service, String namespace) {
    OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(
        OperatorServiceStubsOptions.newBuilder().setChannel(service.getRawChannel()).validateAndBuildWithDefaults());
    ListSearchAttributesResponse existing = operator.blockingStub()
        .listSearchAttributes(ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build());
    Map<String, IndexedValueType> missing = new HashMap<>(MarathonSearchAttributes.definitions());
    missing.keySet().removeAll(existing.getCustomAttributesMap().keySet());
    if (!missing.isEmpty()) {
      operator.blockingStub().addSearchAttributes(AddSearchAttributesRequest.newBuilder()
          .setNamespace(namespace).putAllSearchAttributes(missing).build());
    }
  }

  public WorkflowClient client() {
    return client;
  }

  public String namespace() {
    return namespace;
  }

  /** The Web UI's base URL, or null for the in-process server (which has none). */
  public String uiUrl() {
    return uiUrl;
  }

  /** Whether runs survive this process (false only for the in-process fallback). */
  public boolean durable() {
    return inProcess == null;
  }

  /** The Web UI beside the server at {@code address}: {@code MARATHON_UI_URL}, or Temporal's layout (the gRPC port + 1000). */
  public static String uiUrlFor(String address) {
    String env = System.getenv("MARATHON_UI_URL");
    if (env != null && !env.isBlank()) return env;
    HostPort hp = HostPort.parse(address);
    String host = hp.host().equals("127.0.0.1") || hp.host().equals("0.0.0.0") ? "localhost" : hp.host();
    return "http://" + host + ":" + (hp.port() + 1000);
  }

  static boolean isLocal(String address) {
    String host = HostPort.parse(address).host();
    try {
      InetAddress a = InetAddress.getByName(host);
      return a.isLoopbackAddress() || a.isAnyLocalAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  @Override
  public void close() {
    if (inProcess != null) {
      inProcess.close();
    } else {
      service.shutdown();
      service.awaitTermination(2, java.util.concurrent.TimeUnit.SECONDS);
      loop.close();
    }
  }

  /** No server answers and Marathon was not allowed to (or could not) start one. */
  public static final class UnreachableServerException extends RuntimeException {
    public UnreachableServerException(String message) {
      super(message);
    }
  }
}
