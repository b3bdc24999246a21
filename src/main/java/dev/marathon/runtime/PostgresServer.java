package dev.marathon.runtime;

import dev.marathon.activities.store.PostgresLocation;
import dev.marathon.workflows.MarathonSearchAttributes;
import io.grpc.StatusRuntimeException;
import io.temporal.api.workflowservice.v1.CountWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.api.workflowservice.v1.RegisterNamespaceRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The real Temporal server on PostgreSQL: what runs that must outlive one machine use, where the
 * dev server (one process, SQLite on its disk) cannot serve. On every start it brings the
 * databases to the installed server's schema, writes the server's and the Web UI's configuration
 * under {@code <home>/temporal-server/<port>}, starts both, and registers the {@code default}
 * namespace and Marathon's search attributes when they are missing. The database password reaches
 * the server through its environment only, never a file or a command line.
 *
 * <p>Ports, Temporal's own layout shifted to {@code port} (7233 gives exactly Temporal's defaults):
 * the frontend on {@code port} (what workers and the CLI dial), history {@code +1}, matching
 * {@code +2}, the internal worker {@code +6}, and the services' membership ports
 * {@code −300, −299, −298, −294}, which must stay below 32768 (the PostgreSQL schema keeps them as
 * {@code smallint}: a server on a high port cannot start). The Web UI on {@code uiPort}; the
 * frontend's HTTP API not on Temporal's {@code +10} but on a random port ({@link ServerHttpApi}
 * says why).
 */
public final class PostgresServer {
  static final String PASSWORD_VARIABLE = "MARATHON_TEMPORAL_DB_PASSWORD";
  static final String NAMESPACE = "default";
  /** Fixed when the databases are created: more shards let more runs progress at once. */
  static final int HISTORY_SHARDS = 4;

  private final Path bin;
  private final Path schemaDir;
  private final Path root;
  private final PostgresLocation db;
  private final String ip;
  private final int port;
  private final int uiPort;
  private final int httpPort;
  private final boolean headless;

  /** @param httpPort the HTTP API's port: a random free one ({@link ServerHttpApi#freePort}), which the CLI finds recorded */
  public PostgresServer(MarathonHome home, PostgresLocation db, String ip, int port, int uiPort, int httpPort, boolean headless) {
    this.bin = home.bin();
    this.schemaDir = home.dir().resolve("temporal-server/schema");
    this.root = home.dir().resolve("temporal-server/" + port);
    this.db = db;
    this.ip = ip;
    this.port = port;
    this.uiPort = uiPort;
    this.httpPort = httpPort;
    this.headless = headless;
  }

  /** What is missing to run it (the binaries {@code scripts/install-temporal-server} builds), or null. */
  public String missing() {
    for (String b : List.of("temporal-server", "temporal-sql-tool", "temporal-ui-server")) {
      if (!Files.isExecutable(bin.resolve(b))) return bin.resolve(b) + " (scripts/install-temporal-server builds it)";
    }
    return Files.isDirectory(schemaDir) ? null : schemaDir + " (scripts/install-temporal-server installs it)";
  }

  /** Each service's gRPC port, as an offset from {@code port}, in Temporal's own layout. */
  private static final Map<String, Integer> SERVICES = new java.util.LinkedHashMap<>();

  static {
    SERVICES.put("frontend", 0);
    SERVICES.put("history", 1);
    SERVICES.put("matching", 2);
    SERVICES.put("worker", 6);
  }
  /** A service's membership port lies this far below its gRPC port (6933 for 7233). */
  private static final int MEMBERSHIP = -300;

  /** Every port the server binds besides {@code port}, as {@link #serverYaml} lays them out. */
  public static List<Integer> otherPorts(int port) {
    List<Integer> ports = new ArrayList<>();
    SERVICES.values().forEach(offset -> {
      if (offset != 0) ports.add(port + offset);
      ports.add(port + offset + MEMBERSHIP);
    });
    return ports;
  }

  /** Why {@code port} cannot host the server, or null. */
  public static String portProblem(int port) {
    int lowest = port + MEMBERSHIP;
    int highest = port + Collections.max(SERVICES.values()) + MEMBERSHIP;
    if (lowest < 1024 || highest > 32767) {
      return "--port " + port + " puts the server's membership ports (--port−300…−294) outside 1024..32767 (PostgreSQL keeps them as"
          + " smallint): use a port from 1324 to 33061, e.g. 7233";
    }
    return null;
  }

  public int httpPort() {
    return httpPort;
  }

  public String address() {
    return ip + ":" + port;
  }

  public String uiUrl() {
    return "http://" + ("0.0.0.0".equals(ip) ? "localhost" : ip) + ":" + uiPort;
  }

  /** Sets up the databases, runs the server (and the Web UI) until it exits or this process is stopped. */
  public int runForeground() throws IOException, InterruptedException {
    new PostgresSchema(bin.resolve("temporal-sql-tool"), schemaDir, db).ensure();
    writeConfiguration();
    ProcessBuilder serverPb = new ProcessBuilder(DevServer.diesWithParent(List.of(bin.resolve("temporal-server").toString(),
        "--root", root.toString(), "--config", "config", "--env", "marathon", "--allow-no-auth", "start"))).inheritIO();
    serverPb.environment().put(PASSWORD_VARIABLE, db.password() == null ? "" : db.password());
    Process server = serverPb.start();
    List<Process> running = new java.util.concurrent.CopyOnWriteArrayList<>(List.of(server));
    Thread stop = new Thread(() -> running.forEach(DevServer::stop), "stop-temporal-server");
    Runtime.getRuntime().addShutdownHook(stop);
    prepareNamespace(server);
    if (!headless) {
      Process ui = new ProcessBuilder(DevServer.diesWithParent(List.of(bin.resolve("temporal-ui-server").toString(),
          "--root", root.resolve("ui").toString(), "--config", "config", "--env", "marathon", "start"))).inheritIO().start();
      running.add(0, ui);
      awaitListening(ui, uiPort, "the Web UI");
    }
    System.err.println("[marathon] Temporal server ready on " + address() + (headless ? "" : ", Web UI " + uiUrl()));
    int exit = server.waitFor();
    try {
      Runtime.getRuntime().removeShutdownHook(stop);
      running.forEach(DevServer::stop);
    } catch (IllegalStateException shuttingDown) {
      // the hook is what stopped it
    }
    return exit;
  }

  /** One try at something the server should soon answer; throws while it does not yet. */
  private interface Probe {
    void attempt() throws Exception;
  }

  /** Tries {@code probe} until it succeeds, {@code process} exits, or {@code within} has passed. */
  private static void await(Process process, String what, Duration within, Probe probe) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      try {
        probe.attempt();
        return;
      } catch (IOException | RuntimeException notYet) {
        if (!process.isAlive()) throw new IOException(what + ": the process exited with " + process.exitValue() + " (its output is above)");
        if (System.nanoTime() > deadline) throw new IOException(what + " did not happen within " + within.toSeconds() + " s: " + notYet.getMessage());
        Thread.sleep(200);
      } catch (Exception unexpected) {
        throw new IOException(what + ": " + unexpected.getMessage(), unexpected);
      }
    }
  }

  /** Waits until {@code process} accepts connections on {@code port}: "ready" means every part answers. */
  private void awaitListening(Process process, int port, String what) throws IOException, InterruptedException {
    String host = "0.0.0.0".equals(ip) ? "127.0.0.1" : ip;
    await(process, what + " listening on " + host + ":" + port, Duration.ofMinutes(1), () -> {
      try (java.net.Socket s = new java.net.Socket()) {
        s.connect(new java.net.InetSocketAddress(host, port), 1000);
      }
    });
  }

  /**
   * Waits for the frontend and registers the namespace and Marathon's search attributes where
   * missing, then waits until the frontend itself accepts them (its caches refresh a moment after
   * they are registered): a query naming them all is the probe. Until then a run started at once
   * would be refused ("no mapping defined for search attribute").
   */
  private void prepareNamespace(Process server) throws InterruptedException, IOException {
    WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(address()).build());
    StringBuilder query = new StringBuilder();
    MarathonSearchAttributes.definitions().forEach((name, type) -> query.append(query.length() == 0 ? "" : " OR ")
        .append(name).append(" IS NOT NULL"));
    try {
      await(server, "the Temporal server's namespace " + NAMESPACE, Duration.ofMinutes(2), () -> {
        try {
          service.blockingStub().describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace(NAMESPACE).build());
        } catch (StatusRuntimeException e) {
          if (e.getStatus().getCode() != io.grpc.Status.Code.NOT_FOUND) throw e;
          service.blockingStub().registerNamespace(RegisterNamespaceRequest.newBuilder().setNamespace(NAMESPACE)
              .setWorkflowExecutionRetentionPeriod(com.google.protobuf.Duration.newBuilder().setSeconds(Duration.ofDays(7).toSeconds()))
              .build());
        }
        Connection.addMissingSearchAttributes(service, NAMESPACE);
      });
      await(server, "the Temporal server accepting Marathon's search attributes", Duration.ofMinutes(2), () ->
          service.blockingStub().countWorkflowExecutions(CountWorkflowExecutionsRequest.newBuilder()
              .setNamespace(NAMESPACE).setQuery(query.toString()).build()));
    } finally {
      service.shutdownNow();
    }
  }

  // ---- configuration ------------------------------------------------------------------------

  private void writeConfiguration() throws IOException {
    Files.createDirectories(root.resolve("config"));
    Files.createDirectories(root.resolve("ui/config"));
    write(root.resolve("config/marathon.yaml"), serverYaml());
    write(root.resolve("dynamicconfig.yaml"), dynamicConfigYaml());
    write(root.resolve("ui/config/marathon.yaml"), """
        temporalGrpcAddress: %s
        host: %s
        port: %d
        enableUi: true
        defaultNamespace: %s
        refreshInterval: 1m
        cors:
          allowOrigins: []
        """.formatted(address(), ip, uiPort, NAMESPACE));
  }

  String serverYaml() {
    String datastore = """
            sql:
              pluginName: "postgres12"
              databaseName: "%s"
              connectAddr: "%s:%d"
              connectProtocol: "tcp"
              user: "%s"
              password: {{ env "%s" | quote }}
              maxConns: %d
              maxIdleConns: %d
              maxConnLifetime: "1h"
        """;
    return "# enable-template\n" + """
        log:
          stdout: true
          level: warn
        persistence:
          defaultStore: default
          visibilityStore: visibility
          numHistoryShards: %d
          datastores:
            default:
        %s
            visibility:
        %s
        global:
          membership:
            maxJoinDuration: 30s
            broadcastAddress: "%s"
        services:
        %s
        clusterMetadata:
          enableGlobalNamespace: false
          failoverVersionIncrement: 10
          masterClusterName: "active"
          currentClusterName: "active"
          clusterInformation:
            active:
              enabled: true
              initialFailoverVersion: 1
              rpcName: "frontend"
              rpcAddress: "%s"
        dcRedirectionPolicy:
          policy: "noop"
        dynamicConfigClient:
          filepath: "%s"
          pollInterval: "10s"
        """.formatted(HISTORY_SHARDS,
            datastore.formatted(db.database(), db.host(), db.port(), db.user(), PASSWORD_VARIABLE, 20, 20).indent(6).stripTrailing(),
            datastore.formatted(PostgresSchema.visibilityDatabase(db), db.host(), db.port(), db.user(), PASSWORD_VARIABLE, 10, 10)
                .indent(6).stripTrailing(),
            broadcast(), services(), broadcast() + ":" + port, root.resolve("dynamicconfig.yaml"));
  }

  /** The {@code services:} entries, ports laid out by {@link #SERVICES}. */
  private String services() {
    StringBuilder yaml = new StringBuilder();
    SERVICES.forEach((name, offset) -> yaml.append("  ").append(name).append(":\n    rpc: {grpcPort: ").append(port + offset)
        .append(offset == 0 ? ", httpPort: " + httpPort : "").append(", membershipPort: ").append(port + offset + MEMBERSHIP)
        .append(", bindOnIP: \"").append(ip).append("\"}\n"));
    return yaml.toString().stripTrailing();
  }

  /** {@link DevServer#TUNING}, the same measured settings, as the server's dynamic config file. */
  static String dynamicConfigYaml() {
    StringBuilder yaml = new StringBuilder();
    for (String setting : DevServer.TUNING) {
      int eq = setting.indexOf('=');
      yaml.append(setting, 0, eq).append(":\n  - value: ").append(setting.substring(eq + 1)).append('\n');
    }
    return yaml.toString();
  }

  /** The address the server's own services reach each other on. */
  private String broadcast() {
    return "0.0.0.0".equals(ip) ? "127.0.0.1" : ip;
  }

  private static void write(Path file, String text) throws IOException {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
  }
}
