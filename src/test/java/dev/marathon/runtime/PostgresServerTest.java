package dev.marathon.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.marathon.activities.store.PostgresLocation;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real server's configuration as Marathon writes it: Temporal's port layout, no password in it. */
class PostgresServerTest {
  @TempDir Path home;

  @Test
  void port7233GivesTemporalsOwnLayoutAndThePasswordStaysInTheEnvironment() throws Exception {
    PostgresServer server = new PostgresServer(new MarathonHome(home),
        PostgresLocation.parse("postgresql://temporal@db.internal:5433/temporal", "pw-not-in-files"), "10.0.0.5", 7233, 8233, 41877, false);
    String yaml = server.serverYaml();
    assertFalse(yaml.contains("pw-not-in-files"), yaml);
    assertTrue(yaml.startsWith("# enable-template\n") && yaml.contains("{{ env \"" + PostgresServer.PASSWORD_VARIABLE + "\" | quote }}"), yaml);
    JsonNode config = new ObjectMapper(new YAMLFactory()).readTree(yaml.replace("{{ env \"" + PostgresServer.PASSWORD_VARIABLE + "\" | quote }}", "x"));
    JsonNode services = config.path("services");
    assertEquals(7233, services.path("frontend").path("rpc").path("grpcPort").asInt());
    assertEquals(41877, services.path("frontend").path("rpc").path("httpPort").asInt(), "random, not Temporal's guessable +10");
    assertEquals(6933, services.path("frontend").path("rpc").path("membershipPort").asInt());
    assertEquals(7234, services.path("history").path("rpc").path("grpcPort").asInt());
    assertEquals(7235, services.path("matching").path("rpc").path("grpcPort").asInt());
    assertEquals(7239, services.path("worker").path("rpc").path("grpcPort").asInt());
    assertEquals(6939, services.path("worker").path("rpc").path("membershipPort").asInt());
    assertEquals("10.0.0.5", services.path("frontend").path("rpc").path("bindOnIP").asText());
    JsonNode stores = config.path("persistence").path("datastores");
    assertEquals("temporal", stores.path("default").path("sql").path("databaseName").asText());
    assertEquals("temporal_visibility", stores.path("visibility").path("sql").path("databaseName").asText());
    assertEquals("db.internal:5433", stores.path("default").path("sql").path("connectAddr").asText());
  }

  @Test
  void aPortWhoseMembershipPortsPostgresCannotKeepIsRefused() {
    assertNull(PostgresServer.portProblem(7233));
    assertNotNull(PostgresServer.portProblem(40_000), "membership ports over 32767 do not fit PostgreSQL's smallint");
    assertNotNull(PostgresServer.portProblem(1000));
  }

  @Test
  void theDevServersTuningIsTheRealServersDynamicConfig() {
    String yaml = PostgresServer.dynamicConfigYaml();
    assertTrue(yaml.contains("history.transferProcessorMaxPollRPS:\n  - value: 1000\n"), yaml);
    assertEquals(DevServer.TUNING.size(), yaml.split("- value:").length - 1);
  }
}
