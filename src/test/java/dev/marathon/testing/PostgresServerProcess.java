package dev.marathon.testing;

import dev.marathon.runtime.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@code ./marathon server --postgres URL} as a real process, for tests and benchmarks: run with
 * the home where {@code scripts/install-temporal-server} put the server (the launcher installs it
 * on first use), and ready when it says so.
 */
public final class PostgresServerProcess {

  /** Starts it on {@code port} (its Web UI on {@code port + 1000}) and waits until it is ready. */
  public static Process start(String url, int port, Path log, String... extraArgs) throws IOException {
    List<String> args = new ArrayList<>(List.of("server", "--postgres", url, "--port", Integer.toString(port),
        "--ui-port", Integer.toString(port + 1000)));
    args.addAll(List.of(extraArgs));
    Process p = Launcher.builder(serverHome(), Map.of(), args.toArray(new String[0]))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    Eventually.get(() -> {
      if (!p.isAlive()) throw new AssertionError("./marathon server --postgres exited: " + read(log));
      return read(log).contains("Temporal server ready on 127.0.0.1:" + port) ? true : null;
    }, Duration.ofMinutes(8), "the Temporal server on PostgreSQL ready (the first start installs it)");
    return p;
  }

  /** A port whose Web UI port (+1000) and the server's other ports are free, low enough for its membership ports. */
  public static int freePort() {
    Random random = new Random();
    while (true) {
      int p = 20_000 + random.nextInt(12_000);
      List<Integer> all = new ArrayList<>(PostgresServer.otherPorts(p));
      all.add(p);
      all.add(p + 1000);
      if (all.stream().allMatch(DevServerFixture::isFree)) return p;
    }
  }

  /** Where scripts/install-temporal-server put the server (the test command runs it). */
  static Path serverHome() {
    String home = System.getenv("MARATHON_HOME");
    return home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"), ".marathon");
  }

  static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  private PostgresServerProcess() {}
}
