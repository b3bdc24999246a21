package dev.marathon.cli;

import dev.marathon.activities.store.PostgresLocation;
import dev.marathon.runtime.DevServer;
import dev.marathon.runtime.PostgresServer;
import dev.marathon.runtime.ServerHttpApi;
import dev.marathon.runtime.MarathonHome;
import dev.marathon.runtime.TemporalCli;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "server", mixinStandardHelpOptions = true,
    description = {"Run the Temporal dev server in the foreground.",
        "SQLite persistence, the Web UI, Marathon's search attributes and tuning.",
        "--postgres URL runs the real Temporal server on PostgreSQL instead (runs that outlive one machine):",
        "  it sets up or upgrades the schema, the namespace and the search attributes on first use.",
        "--stop stops one that Marathon started in the background."})
final class ServerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--db", paramLabel = "FILE", description = "SQLite database (default: ~/.marathon/temporal.db).")
  Path db;

  @Option(names = "--ip", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
  String ip;

  @Option(names = "--port", defaultValue = "7233", description = "gRPC port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--ui-port", description = "Web UI port (default: gRPC port + 1000).")
  Integer uiPort;

  @Option(names = "--headless", description = "No Web UI.")
  boolean headless;

  @Option(names = "--postgres", paramLabel = "URL",
      description = "postgresql://USER@HOST[:PORT]/DB: run the real Temporal server on it (DB and DB_visibility);"
          + " the password comes from PGPASSWORD, never the URL.")
  String postgres;

  @Option(names = "--stop", description = "Stop the dev server Marathon started in the background.")
  boolean stop;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    MarathonHome home = MarathonHome.fromEnvironment();
    if (stop) return stop(home, err);
    OptionChecks.port("--port", port);
    if (uiPort != null) {
      OptionChecks.port("--ui-port", uiPort);
    } else if (port + 1000 > 65535) {
      throw new BadInputException("--port " + port + " leaves no default --ui-port (--port + 1000 is over 65535); give --ui-port");
    }
    OptionChecks.notBlank("--ip", ip);
    if (postgres != null) return realServer(home, err);
    OptionChecks.notEmpty("--db", db);
    if (db != null && Files.isDirectory(db)) throw new BadInputException("--db " + db + " is a directory; give the database file");
    Optional<Path> cli = TemporalCli.find(home);
    if (cli.isEmpty()) {
      err.println("error: the Temporal CLI is not installed; scripts/install-temporal-cli installs it into " + home.bin());
      return ExitCodes.FAILED;
    }
    List<String> extra = new ArrayList<>();
    if (headless) extra.add("--headless");
    DevServer server = new DevServer(cli.get(), db != null ? db : home.temporalDb(), ip, port, uiPort != null ? uiPort : port + 1000,
        ServerHttpApi.freePort(), extra);
    ServerHttpApi.record(home, port, server.httpPort(), ProcessHandle.current()); // the server dies with this process
    err.println("[marathon] Temporal dev server on " + ip + ":" + server.port() + (headless ? "" : ", Web UI " + server.uiUrl())
        + ", database " + server.db());
    err.flush();
    return server.runForeground();
  }

  private int realServer(MarathonHome home, PrintWriter err) throws Exception {
    if (db != null) throw new BadInputException("--db is the dev server's SQLite file; with --postgres the server keeps everything in PostgreSQL");
    String portProblem = PostgresServer.portProblem(port);
    if (portProblem != null) throw new BadInputException(portProblem);
    PostgresLocation location;
    try {
      location = PostgresLocation.parse(postgres);
    } catch (IllegalArgumentException e) {
      throw new BadInputException("--postgres: " + e.getMessage());
    }
    if (location.query() != null) {
      throw new BadInputException("--postgres: the server's own connection does not take sslmode yet (Temporal's needs a TLS block):"
          + " reach PostgreSQL on a trusted network, or leave sslmode to the store's URL");
    }
    PostgresServer server = new PostgresServer(home, location, ip, port, uiPort != null ? uiPort : port + 1000, ServerHttpApi.freePort(), headless);
    ServerHttpApi.record(home, port, server.httpPort(), ProcessHandle.current()); // the server dies with this process
    String missing = server.missing();
    if (missing != null) {
      err.println("error: the Temporal server is not installed: " + missing);
      return ExitCodes.FAILED;
    }
    err.println("[marathon] Temporal server on " + server.address() + " with PostgreSQL " + location + (headless ? "" : ", Web UI " + server.uiUrl()));
    err.flush();
    return server.runForeground();
  }

  /**
   * Under the server's lock, and its record deleted before it is killed: a command that started it
   * and finds it gone starts it again only while that record names a dead process.
   */
  private static int stop(MarathonHome home, PrintWriter err) throws Exception {
    Path pidFile = home.serverPid();
    try (java.io.Closeable held = home.lockServer()) {
      java.util.OptionalLong recorded = home.recordedServerPid();
      if (recorded.isEmpty()) {
        err.println("no background dev server recorded in " + pidFile);
        return ExitCodes.OK;
      }
      long pid = recorded.getAsLong();
      Files.delete(pidFile);
      Optional<ProcessHandle> p = ProcessHandle.of(pid);
      if (p.isPresent()) {
        p.get().destroy();
        p.get().onExit().get(15, TimeUnit.SECONDS);
        err.println("stopped the Temporal dev server (pid " + pid + ")");
      } else {
        err.println("the dev server (pid " + pid + ") was not running");
      }
    }
    return ExitCodes.OK;
  }
}
