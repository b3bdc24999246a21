package dev.marathon.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.activities.store.CheckpointStore;
import dev.marathon.activities.store.PostgresCheckpointStore;
import dev.marathon.activities.store.PostgresLocation;
import dev.marathon.testing.Launcher;
import dev.marathon.testing.PostgresFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/postgres-init.sh on a real PostgreSQL: the workers' role stores and reads checkpoint
 * objects through the real store, and can neither change nor delete one, nor create anything.
 */
class PostgresInitTest {
  @TempDir Path tmp;

  @Test
  void theWorkersRoleMayReadAndAddObjectsAndNothingElse() throws Exception {
    PostgresFixture pg = PostgresFixture.shared();
    String url = pg.newDatabase("init");
    String db = url.substring(url.lastIndexOf('/') + 1);
    ProcessBuilder pb = new ProcessBuilder(Launcher.root().resolve("scripts/postgres-init.sh").toString()).redirectErrorStream(true)
        .redirectOutput(tmp.resolve("init.log").toFile());
    pb.environment().putAll(java.util.Map.of("POSTGRES_USER", "marathon", "POSTGRES_DB", db, "PGHOST", "127.0.0.1",
        "PGPORT", Integer.toString(pg.port()), "MARATHON_PG_WORKER_PASSWORD", "worker-pw"));
    Process p = pb.start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("init.log")));

    CheckpointStore store = PostgresCheckpointStore.open(
        PostgresLocation.parse("postgresql://marathon_worker@127.0.0.1:" + pg.port() + "/" + db, "worker-pw"));
    String ref = store.putText("a checkpoint");
    assertEquals("a checkpoint", store.getText(ref), "the store works as the workers' role (the table the script made is its own)");
    assertEquals(ref, store.bind("snapshot/abc", ref), "and binds names");

    Properties worker = new Properties();
    worker.setProperty("user", "marathon_worker");
    try (Connection c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.port() + "/" + db, worker)) {
      for (String sql : new String[] {"UPDATE marathon_objects SET content = 'x'::bytea", "DELETE FROM marathon_objects",
          "CREATE TABLE sneaky (x int)", "TRUNCATE marathon_objects",
          "UPDATE marathon_names SET ref = ref", "DELETE FROM marathon_names"}) {
        try (Statement s = c.createStatement()) {
          SQLException e = assertThrows(SQLException.class, () -> s.execute(sql), sql);
          assertEquals("42501", e.getSQLState(), sql + ": " + e.getMessage()); // insufficient_privilege
        }
      }
    }
    assertEquals("a checkpoint", store.getText(ref), "nothing was changed");
  }
}
