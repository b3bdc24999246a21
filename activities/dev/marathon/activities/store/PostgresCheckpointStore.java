package dev.marathon.activities.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The checkpoint store in PostgreSQL: one table of objects (and one of names, {@link #bind}) that every worker and every CLI
 * reaching the database share, so a run's record does not live on one machine's disk. Same
 * contract as the directory store ({@code CheckpointStoreContract}): an object's key is the
 * SHA-256 of its bytes, a put is {@code INSERT … ON CONFLICT DO NOTHING} (a retry, or two workers
 * storing the same output, store one row), and every read re-hashes what it got.
 *
 * <p>Connections are opened as needed and kept for reuse, at most {@link #KEPT} of them: activities
 * of several runs store at once, and a connection costs a few milliseconds to open.
 */
public final class PostgresCheckpointStore implements CheckpointStore {
  static final int KEPT = 8;
  static final String TABLE = "marathon_objects";
  static final String NAMES = "marathon_names";

  private final PostgresLocation location;
  private final BlockingQueue<Connection> idle = new ArrayBlockingQueue<>(KEPT);

  private PostgresCheckpointStore(PostgresLocation location) {
    this.location = location;
  }

  /** Connects to the database at {@code location} and creates the objects table if it is not there. */
  public static PostgresCheckpointStore open(PostgresLocation location) {
    PostgresCheckpointStore store = new PostgresCheckpointStore(location);
    store.run(c -> {
      if (exists(c)) return null; // a role that may only read and insert needs no CREATE right
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (ref CHAR(64) PRIMARY KEY, content BYTEA NOT NULL)");
        s.execute("CREATE TABLE IF NOT EXISTS " + NAMES + " (name VARCHAR(" + MAX_NAME + ") PRIMARY KEY, ref CHAR(64) NOT NULL)");
      } catch (SQLException e) {
        // Workers opening a fresh database at once race on the catalog (42P07, 23505): one made it.
        if (exists(c)) return null;
        if ("42501".equals(e.getSQLState())) {
          throw new SQLException("the store's tables " + TABLE + " and " + NAMES + " are not both there and this role may not create"
              + " them: run scripts/postgres-init.sh as the database's owner (again after an upgrade: it adds " + NAMES + ")", "42501", e);
        }
        throw e;
      }
      return null;
    }, "create the store's tables");
    return store;
  }

  private static boolean exists(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT to_regclass('" + TABLE + "') IS NOT NULL AND to_regclass('" + NAMES + "') IS NOT NULL")) {
      return r.next() && r.getBoolean(1);
    }
  }

  @Override
  public String put(byte[] content) {
    String ref = CheckpointStore.hash(content);
    run(c -> {
      try (PreparedStatement s = c.prepareStatement("INSERT INTO " + TABLE + " (ref, content) VALUES (?, ?) ON CONFLICT (ref) DO NOTHING")) {
        s.setString(1, ref);
        s.setBytes(2, content);
        s.executeUpdate();
      }
      return null;
    }, "write object " + ref);
    return ref;
  }

  @Override
  public byte[] get(String ref) {
    if (!CheckpointStore.isRef(ref)) throw new IllegalArgumentException("not a checkpoint ref: " + ref);
    byte[] content = run(c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT content FROM " + TABLE + " WHERE ref = ?")) {
        s.setString(1, ref);
        try (ResultSet r = s.executeQuery()) {
          return r.next() ? r.getBytes(1) : null;
        }
      }
    }, "read object " + ref);
    if (content == null) throw new MissingObjectException(ref, location.toString());
    if (!CheckpointStore.hash(content).equals(ref)) throw new CorruptObjectException(ref, "its row in " + location);
    return content;
  }

  @Override
  public boolean contains(String ref) {
    if (!CheckpointStore.isRef(ref)) return false;
    return run(c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM " + TABLE + " WHERE ref = ?")) {
        s.setString(1, ref);
        try (ResultSet r = s.executeQuery()) {
          return r.next();
        }
      }
    }, "look up object " + ref);
  }

  /** {@code INSERT … ON CONFLICT DO NOTHING RETURNING}: one round trip when the name was free, a second to read the winner when not. */
  @Override
  public String bind(String name, String ref) {
    checkName(name);
    if (!CheckpointStore.isRef(ref)) throw new IllegalArgumentException("not a checkpoint ref: " + ref);
    String mine = run(c -> {
      try (PreparedStatement s = c.prepareStatement("INSERT INTO " + NAMES + " (name, ref) VALUES (?, ?) ON CONFLICT (name) DO NOTHING RETURNING ref")) {
        s.setString(1, name);
        s.setString(2, ref);
        try (ResultSet r = s.executeQuery()) {
          return r.next() ? r.getString(1) : null;
        }
      }
    }, "bind name " + name);
    return mine != null ? mine : bound(name);
  }

  @Override
  public String bound(String name) {
    checkName(name);
    return run(c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT ref FROM " + NAMES + " WHERE name = ?")) {
        s.setString(1, name);
        try (ResultSet r = s.executeQuery()) {
          return r.next() ? r.getString(1) : null;
        }
      }
    }, "look up name " + name);
  }

  /** Every worker and CLI that reaches the database reads it: runs' snapshots travel through it. */
  @Override
  public boolean shared() {
    return true;
  }

  private static void checkName(String name) {
    String problem = CheckpointStore.nameProblem(name);
    if (problem != null) throw new IllegalArgumentException(problem);
  }

  /** Re-hashes every object, streaming them (a cursor, not the whole table in memory). */
  @Override
  public List<String> verify() {
    return run(c -> {
      List<String> bad = new ArrayList<>();
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false); // the driver streams with a cursor only inside a transaction
      try (Statement s = c.createStatement()) {
        s.setFetchSize(64);
        try (ResultSet r = s.executeQuery("SELECT ref, content FROM " + TABLE)) {
          while (r.next()) {
            String ref = r.getString(1);
            if (!CheckpointStore.hash(r.getBytes(2)).equals(ref)) bad.add(ref);
          }
        }
      } finally {
        c.rollback();
        c.setAutoCommit(auto);
      }
      return bad;
    }, "verify the objects");
  }

  @Override
  public String toString() {
    return location.toString();
  }

  // ---- connections --------------------------------------------------------------------------

  private interface Work<T> {
    T on(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} on a kept connection (or a new one). A connection that failed is dropped, and
   * a broken connection (SQLState class 08: a restarted server, a dropped link) is replaced once and
   * the work run again: every operation here is idempotent.
   */
  private <T> T run(Work<T> work, String what) {
    try {
      return attempt(work);
    } catch (SQLException e) {
      if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
        try {
          return attempt(work);
        } catch (SQLException again) {
          e = again;
        }
      }
      // The driver's messages name host, database and user, never the password.
      throw new StoreUnavailableException("cannot " + what + " in the checkpoint store " + location + ": " + e.getMessage(), e);
    }
  }

  private <T> T attempt(Work<T> work) throws SQLException {
    Connection c = idle.poll();
    boolean reusable = false;
    try {
      if (c == null) c = location.connect();
      T result = work.on(c);
      reusable = true;
      return result;
    } finally {
      if (reusable && idle.offer(c)) c = null;
      close(c);
    }
  }

  /** Closes the connections kept for reuse; the store opens new ones if it is used again. */
  @Override
  public void close() {
    for (Connection c = idle.poll(); c != null; c = idle.poll()) close(c);
  }

  private static void close(Connection c) {
    if (c == null) return;
    try {
      c.close();
    } catch (SQLException ignored) {
      // it is being dropped for failing already
    }
  }
}
