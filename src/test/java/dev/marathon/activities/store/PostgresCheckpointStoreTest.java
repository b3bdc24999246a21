package dev.marathon.activities.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.testing.PostgresFixture;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shared store on a real PostgreSQL: the whole {@link CheckpointStoreContract}, and what only it has. */
class PostgresCheckpointStoreTest extends CheckpointStoreContract<PostgresCheckpointStore> {
  private String url;

  @Override
  protected PostgresCheckpointStore newStore() throws Exception {
    url = PostgresFixture.shared().newDatabase("store");
    return (PostgresCheckpointStore) CheckpointStore.at(url);
  }

  @Override
  protected void damage(PostgresCheckpointStore store, String ref) throws Exception {
    try (Connection c = PostgresFixture.shared().connect(database());
        PreparedStatement s = c.prepareStatement("UPDATE " + PostgresCheckpointStore.TABLE + " SET content = ? WHERE ref = ?")) {
      s.setBytes(1, "bit rot".getBytes(StandardCharsets.UTF_8));
      s.setString(2, ref);
      assertEquals(1, s.executeUpdate());
    }
  }

  @Override
  protected long objectCount(PostgresCheckpointStore store) throws Exception {
    try (Connection c = PostgresFixture.shared().connect(database());
        ResultSet r = c.createStatement().executeQuery("SELECT count(*) FROM " + PostgresCheckpointStore.TABLE)) {
      r.next();
      return r.getLong(1);
    }
  }

  private String database() {
    return url.substring(url.lastIndexOf('/') + 1);
  }

  @Test
  void aSecondHandleOnTheSameDatabaseSeesWhatTheFirstWrote() throws Exception {
    CheckpointStore first = newStore();
    String ref = first.putText("written on machine A");
    CheckpointStore second = CheckpointStore.at(url); // e.g. another worker, or the CLI elsewhere
    assertTrue(second.contains(ref));
    assertEquals("written on machine A", second.getText(ref));
  }

  @Test
  void aPostgresUrlChoosesIt() throws Exception {
    newStore();
    assertInstanceOf(PostgresCheckpointStore.class, CheckpointStore.at(url.replace("postgresql://", "postgres://")));
  }

  @Test
  void aPasswordInTheUrlIsRefusedWithoutBeingRepeated() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CheckpointStore.at("postgresql://marathon:s3cret-pw@127.0.0.1:5432/store"));
    assertTrue(e.getMessage().contains("PGPASSWORD"), e.getMessage());
    assertFalse(e.getMessage().contains("s3cret-pw"), e.getMessage());
  }

  @Test
  void anUnreachableDatabaseIsAClearErrorWithoutThePassword() {
    StoreUnavailableException e = assertThrows(StoreUnavailableException.class,
        () -> PostgresCheckpointStore.open(PostgresLocation.parse("postgresql://marathon@127.0.0.1:1/nowhere", "s3cret-pw")));
    assertTrue(e.getMessage().contains("postgresql://marathon@127.0.0.1:1/nowhere"), e.getMessage());
    assertFalse(e.getMessage().contains("s3cret-pw"), e.getMessage());
  }

  @Test
  void aLocationThatIsNotADatabaseUrlIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PostgresLocation.parse("postgresql://host-only"));
    assertTrue(e.getMessage().contains("postgresql://USER@HOST:PORT/DB"), e.getMessage());
    assertEquals("postgresql://u@h:5432/db", PostgresLocation.parse("postgresql://u@h/db", "pw").toString());
    for (String hostile : List.of("postgresql://%7B%7Benv%20%22K%22%7D%7D@h/db", "postgresql://u@h/db%22x", "postgresql://u@h/db?options=-c%20x")) {
      assertThrows(IllegalArgumentException.class, () -> PostgresLocation.parse(hostile, null), hostile);
    }
  }
}
