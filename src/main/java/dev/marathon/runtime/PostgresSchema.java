package dev.marathon.runtime;

import dev.marathon.activities.store.PostgresLocation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Temporal server's two PostgreSQL databases ({@code DB} and {@code DB_visibility}), created,
 * set up and upgraded to the schema the installed server expects with Temporal's own SQL tool.
 * Safe to run on every start: a database that exists is not created again, a schema that is set
 * up is only upgraded ({@code update-schema} applies the versions it lacks).
 */
final class PostgresSchema {
  private final Path sqlTool;
  private final Path schemaDir;
  private final PostgresLocation db;

  PostgresSchema(Path sqlTool, Path schemaDir, PostgresLocation db) {
    this.sqlTool = sqlTool;
    this.schemaDir = schemaDir;
    this.db = db;
  }

  static String visibilityDatabase(PostgresLocation db) {
    return db.database() + "_visibility";
  }

  void ensure() throws IOException, InterruptedException {
    ensure(db.database(), schemaDir.resolve("postgresql/v12/temporal/versioned"));
    ensure(visibilityDatabase(db), schemaDir.resolve("postgresql/v12/visibility/versioned"));
  }

  private void ensure(String database, Path versioned) throws IOException, InterruptedException {
    if (!Files.isDirectory(versioned)) throw new IOException("the server's schema is missing: " + versioned + " (scripts/install-temporal-server)");
    Boolean setUp = setUp(database);
    if (setUp == null) tool(database, "create-database");
    if (!Boolean.TRUE.equals(setUp)) tool(database, "setup-schema", "-v", "0.0");
    tool(database, "update-schema", "-d", versioned.toString());
  }

  /** Whether the database's schema is set up; null when there is no such database. */
  private Boolean setUp(String database) throws IOException {
    try (Connection c = db.in(database).connect();
        ResultSet r = c.createStatement().executeQuery("SELECT to_regclass('schema_version') IS NOT NULL")) {
      r.next();
      return r.getBoolean(1);
    } catch (SQLException e) {
      if ("3D000".equals(e.getSQLState())) return null; // invalid_catalog_name: no such database
      throw new IOException("cannot reach the Temporal database " + database + " at " + db + ": " + e.getMessage(), e);
    }
  }

  private void tool(String database, String... command) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(sqlTool.toString(), "--plugin", "postgres12", "--ep", db.host(),
        "--port", Integer.toString(db.port()), "--user", db.user(), "--db", database));
    cmd.addAll(List.of(command));
    Path log = Files.createTempFile("temporal-sql-tool", ".log");
    try {
      ProcessBuilder pb = new ProcessBuilder(DevServer.diesWithParent(cmd)).redirectErrorStream(true).redirectOutput(log.toFile());
      if (db.password() != null) pb.environment().put("SQL_PASSWORD", db.password()); // never on a command line
      Process p = pb.start();
      boolean done = p.waitFor(5, TimeUnit.MINUTES);
      if (!done) p.destroyForcibly();
      if (!done || p.exitValue() != 0) {
        throw new IOException("temporal-sql-tool " + String.join(" ", command) + " on " + database
            + (done ? " failed: " : " did not finish within 5 minutes: ") + Files.readString(log).strip());
      }
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
