package dev.marathon.runtime;

import dev.marathon.workflows.MarathonSearchAttributes;
import io.temporal.api.enums.v1.IndexedValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Temporal CLI dev server: the real Temporal server with SQLite persistence and the Web UI,
 * started with the search attributes Marathon uses and tuned for one user's agent runs (see
 * {@link #TUNING}).
 *
 * @param db SQLite file; state survives restarts of the server
 * @param httpPort its HTTP API's port: a random free one ({@link ServerHttpApi#freePort}), which
 *     {@link ServerHttpApi#record} writes down for the CLI
 * @param extraArgs passed through (e.g. {@code --headless}, {@code --dynamic-config-value ...})
 */
public record DevServer(Path binary, Path db, String ip, int port, int uiPort, int httpPort, List<String> extraArgs) {

  /**
   * Dynamic config for a single-node server. Measured here (scripts/bench): a bare activity step
   * takes ~100 ms with the defaults and ~11 ms with these. The default transfer-queue poll rate
   * (20/s) makes every task dispatch wait up to 50 ms; one task-queue partition avoids forwarding
   * between partitions; eager activity execution hands the next activity to the worker that
   * completed the workflow task, skipping a round trip through matching.
   */
  public static final List<String> TUNING = List.of(
      "history.transferProcessorMaxPollRPS=1000",
      "matching.numTaskqueueReadPartitions=1",
      "matching.numTaskqueueWritePartitions=1",
      "system.enableActivityEagerExecution=true");

  /**
   * SQLite in write-ahead-log mode. With the default rollback journal every commit writes and
   * deletes a journal file and syncs twice; with the WAL it appends and syncs once. Synchronous
   * stays FULL, so a committed step survives a power cut as before.
   */
  public static final List<String> SQLITE_PRAGMAS = List.of("journal_mode=wal");

  public List<String> command() {
    List<String> cmd = new ArrayList<>(List.of(binary.toString(), "server", "start-dev",
        "--db-filename", db.toString(), "--ip", ip, "--port", Integer.toString(port),
        "--ui-port", Integer.toString(uiPort), "--http-port", Integer.toString(httpPort), "--log-level", "warn"));
    for (String value : TUNING) {
      cmd.add("--dynamic-config-value");
      cmd.add(value);
    }
    for (String pragma : SQLITE_PRAGMAS) {
      cmd.add("--sqlite-pragma");
      cmd.add(pragma);
    }
    for (Map.Entry<String, IndexedValueType> sa : MarathonSearchAttributes.definitions().entrySet()) {
      cmd.add("--search-attribute");
      cmd.add(sa.getKey() + "=" + cliType(sa.getValue()));
    }
    cmd.addAll(extraArgs);
    return cmd;
  }

  /** How long a server told to stop (SIGTERM) may take before it is killed. */
  static final Duration STOP_GRACE = Duration.ofSeconds(15);

  /**
   * Runs it in this terminal until it exits. It does not outlive this process: Ctrl-C reaches both
   * (the terminal signals the foreground group); when this JVM alone is terminated (SIGTERM, SIGHUP:
   * systemd, {@code docker stop}, {@code kill}) a shutdown hook stops the server; and where util-linux's
   * {@code setpriv} is found the server is started with a parent-death signal, so the kernel kills it
   * when this JVM dies without running hooks (SIGKILL, a crash). Without {@code setpriv} only that last
   * case leaves the server running.
   */
  public int runForeground() throws IOException, InterruptedException {
    Files.createDirectories(db.toAbsolutePath().getParent());
    // The signal is sent when the thread that started the server ends: this one, which waits for it.
    Process server = new ProcessBuilder(diesWithParent(command())).inheritIO().start();
    Thread stop = new Thread(() -> stop(server), "stop-temporal-dev-server");
    Runtime.getRuntime().addShutdownHook(stop);
    int exit = server.waitFor();
    try {
      Runtime.getRuntime().removeShutdownHook(stop);
    } catch (IllegalStateException shuttingDown) {
      // the hook is what stopped it
    }
    return exit;
  }

  /** SIGTERM, so the server shuts down cleanly; SIGKILL when it has not within {@link #STOP_GRACE}. */
  static void stop(Process server) {
    server.destroy();
    try {
      if (server.waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS)) return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server.destroyForcibly();
  }

  /**
   * {@code command} run so that the kernel kills it when its parent dies ({@code setpriv --pdeathsig
   * KILL}, util-linux 2.33 and later; the setting survives the exec), or as it is where setpriv is
   * missing or lacks the option.
   */
  static List<String> diesWithParent(List<String> command) {
    if (!setprivHasPdeathsig()) return command;
    List<String> wrapped = new ArrayList<>(List.of("setpriv", "--pdeathsig", "KILL", "--"));
    wrapped.addAll(command);
    return wrapped;
  }

  /** Whether {@code setpriv --pdeathsig} runs here (one short process: asked once, by the one foreground server). */
  static boolean setprivHasPdeathsig() {
    try {
      Process probe = new ProcessBuilder("setpriv", "--pdeathsig", "KILL", "--", "true")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Starts it in its own session so it outlives this process (and the Web UI stays up after
   * {@code ./marathon run} exits). Output goes to {@code log}; the pid is written to {@code pidFile}.
   */
  public long startInBackground(Path log, Path pidFile) throws IOException {
    Files.createDirectories(db.toAbsolutePath().getParent());
    List<String> cmd = new ArrayList<>(List.of("setsid"));
    cmd.addAll(command());
    Process p = new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .start();
    Files.writeString(pidFile, Long.toString(p.pid()));
    return p.pid();
  }

  public String uiUrl() {
    return "http://localhost:" + uiPort;
  }

  /** How the dev server's {@code --search-attribute} flag spells a type. */
  public static String cliType(IndexedValueType t) {
    return switch (t) {
      case INDEXED_VALUE_TYPE_KEYWORD -> "Keyword";
      case INDEXED_VALUE_TYPE_INT -> "Int";
      case INDEXED_VALUE_TYPE_DOUBLE -> "Double";
      case INDEXED_VALUE_TYPE_BOOL -> "Bool";
      case INDEXED_VALUE_TYPE_TEXT -> "Text";
      case INDEXED_VALUE_TYPE_DATETIME -> "Datetime";
      case INDEXED_VALUE_TYPE_KEYWORD_LIST -> "KeywordList";
      default -> throw new IllegalArgumentException("unsupported search attribute type " + t);
    };
  }
}
