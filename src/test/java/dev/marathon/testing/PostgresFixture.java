package dev.marathon.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for the tests: a private cluster (its own data directory and port,
 * trust authentication on 127.0.0.1 only), started once per test JVM on first use and stopped when
 * it exits. Run as the {@code postgres} user when the tests run as root (initdb refuses root).
 * Fails loudly when PostgreSQL is not installed: {@code ./marathon test} installs it.
 */
public final class PostgresFixture {
  private static PostgresFixture shared;
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private final Path dir;
  private final Path bin;
  private final int port;
  private final boolean asPostgres;

  private PostgresFixture(Path dir, Path bin, int port, boolean asPostgres) {
    this.dir = dir;
    this.bin = bin;
    this.port = port;
    this.asPostgres = asPostgres;
  }

  /** The JVM's server, started on first use. */
  public static synchronized PostgresFixture shared() throws Exception {
    if (shared == null) {
      shared = start();
      PostgresFixture s = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(s::stop));
    }
    return shared;
  }

  /** A new, empty database on the server: {@code postgresql://marathon@127.0.0.1:PORT/NAME}. */
  public String newDatabase(String prefix) throws Exception {
    String name = (prefix + "_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet()).toLowerCase();
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", credentials());
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return "postgresql://marathon@127.0.0.1:" + port + "/" + name;
  }

  public Connection connect(String database) throws Exception {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, credentials());
  }

  public int port() {
    return port;
  }

  private static Properties credentials() {
    Properties p = new Properties();
    p.setProperty("user", "marathon");
    return p;
  }

  private static PostgresFixture start() throws Exception {
    Path bin = binaries();
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dir = Files.createTempDirectory("marathon-pg");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    PostgresFixture pg = new PostgresFixture(dir, bin, port, root);
    if (root) run(List.of("chown", "postgres:postgres", dir.toString()), dir);
    pg.as("initdb", "-D", dir.resolve("data").toString(), "-U", "marathon", "--auth=trust", "-E", "UTF8", "--no-sync");
    pg.as("pg_ctl", "-D", dir.resolve("data").toString(), "-l", dir.resolve("server.log").toString(), "-w", "-t", "60",
        "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start");
    return pg;
  }

  private void stop() {
    try {
      as("pg_ctl", "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
    } catch (Exception e) {
      System.err.println("could not stop the test PostgreSQL in " + dir + ": " + e.getMessage());
    }
  }

  private void as(String tool, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    if (asPostgres) cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
    cmd.add(bin.resolve(tool).toString());
    cmd.addAll(List.of(args));
    run(cmd, dir);
  }

  private static void run(List<String> cmd, Path dir) throws Exception {
    Path log = Files.createTempFile("pg-cmd", ".log");
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", cmd) + " failed: " + Files.readString(log));
    }
    Files.deleteIfExists(log);
  }

  /** Debian's server binaries (initdb, pg_ctl live beside the server, not on PATH). */
  private static Path binaries() throws IOException {
    Path lib = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(lib)) {
      try (Stream<Path> versions = Files.list(lib)) {
        Path newest = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
            .max(java.util.Comparator.comparing(Path::toString)).orElse(null);
        if (newest != null) return newest;
      }
    }
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, "initdb")) && Files.isExecutable(Path.of(d, "pg_ctl"))) return Path.of(d);
    }
    throw new AssertionError("PostgreSQL is not installed (no initdb and pg_ctl under /usr/lib/postgresql or on PATH):"
        + " ./marathon test installs it (apt-get install postgresql)");
  }
}
