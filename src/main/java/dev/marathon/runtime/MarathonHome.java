package dev.marathon.runtime;

import dev.marathon.activities.store.CheckpointStore;
import dev.marathon.activities.store.PostgresCheckpointStore;
import dev.marathon.activities.store.PostgresLocation;
import java.nio.file.Path;

/**
 * Where Marathon keeps its state on this machine: {@code $MARATHON_HOME}, default {@code
 * ~/.marathon}. The checkpoint store and the workspaces can be placed elsewhere (e.g. on shared
 * volumes) with {@code MARATHON_STORE} and {@code MARATHON_WORKSPACES}.
 */
public record MarathonHome(Path dir) {

  public static MarathonHome fromEnvironment() {
    String home = System.getenv("MARATHON_HOME");
    return new MarathonHome(home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"), ".marathon"));
  }

  /**
   * Where the checkpoint store (conversation checkpoints, tool outputs) is: {@code MARATHON_STORE},
   * a directory or a {@code postgresql://} URL (the store every machine shares); by default the
   * {@code store} directory here.
   */
  public String storeLocation() {
    String s = System.getenv("MARATHON_STORE");
    return s != null && !s.isBlank() ? s : dir.resolve("store").toString();
  }

  /** The store at {@link #storeLocation}, opened (and created if needed). */
  public CheckpointStore openStore() {
    PostgresLocation shared = sharedStore();
    return shared != null ? PostgresCheckpointStore.open(shared) : CheckpointStore.open(store());
  }

  /** The store for a message: its directory, or its URL (which never holds the password). */
  public String storeDescription() {
    PostgresLocation shared = sharedStore();
    return shared != null ? shared.toString() : store().toString();
  }

  /** The file store's directory (where a directory store lives; nothing for a PostgreSQL one). */
  public Path store() {
    String s = storeLocation();
    return PostgresLocation.isUrl(s) ? dir.resolve("store") : Path.of(s);
  }

  /** The PostgreSQL store {@code MARATHON_STORE} names, or null for a directory store. */
  private PostgresLocation sharedStore() {
    String s = storeLocation();
    if (!PostgresLocation.isUrl(s)) return null;
    try {
      return PostgresLocation.parse(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("MARATHON_STORE: " + e.getMessage());
    }
  }

  /** Runs' workspaces: each run's own clone of its repository, and Marathon's snapshot repository beside it. */
  public Path workspaces() {
    String s = System.getenv("MARATHON_WORKSPACES");
    return s != null && !s.isBlank() ? Path.of(s) : dir.resolve("workspaces");
  }

  /** The dev server's SQLite database. */
  public Path temporalDb() {
    return dir.resolve("temporal.db");
  }

  public Path serverLog() {
    return dir.resolve("temporal-server.log");
  }

  public Path serverPid() {
    return dir.resolve("temporal-server.pid");
  }

  /** The process {@link #serverPid} records, if a background dev server is recorded (started and not stopped). */
  public java.util.OptionalLong recordedServerPid() {
    try {
      return java.util.OptionalLong.of(Long.parseLong(java.nio.file.Files.readString(serverPid()).strip()));
    } catch (java.io.IOException | NumberFormatException none) {
      return java.util.OptionalLong.empty();
    }
  }

  /**
   * The lock of the background dev server's record, held while it is started or stopped: a
   * command starting it again after it died and {@code ./marathon server --stop} never cross, and
   * two commands never start two servers on one database. Closing it releases it.
   */
  public java.io.Closeable lockServer() throws java.io.IOException {
    java.nio.file.Files.createDirectories(dir);
    java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(dir.resolve("temporal-server.lock"),
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
    try {
      channel.lock();
    } catch (java.io.IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    return channel;
  }

  /** A user's price table, merged over the built-in one. */
  public Path prices() {
    return dir.resolve("prices.json");
  }

  /** Weights of the embedded local model ({@code MARATHON_MODELS} moves them, e.g. to share one copy). */
  public Path models() {
    String s = System.getenv("MARATHON_MODELS");
    return s != null && !s.isBlank() ? Path.of(s) : dir.resolve("models");
  }

  /** The user's config: model presets and defaults ({@code ModelPresets}). */
  public Path config() {
    return dir.resolve("config.json");
  }

  public Path bin() {
    return dir.resolve("bin");
  }

  /** Everything of Marathon's a sandboxed command must not see: its home, the store, the workspaces. */
  public java.util.List<Path> hiddenFromCommands() {
    return java.util.List.of(dir.toAbsolutePath(), store().toAbsolutePath(), workspaces().toAbsolutePath());
  }
}
