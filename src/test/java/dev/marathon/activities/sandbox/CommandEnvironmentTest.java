package dev.marathon.activities.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a sandboxed command may be given of the worker's environment, even when a run asks with --pass-env. */
class CommandEnvironmentTest {

  @Test
  void marathonsAndPostgresSettingsNeverReachACommand() {
    Map<String, String> worker = Map.of("CI", "true", "MARATHON_STORE", "postgresql://marathon@db:5432/store",
        "PGPASSWORD", "pw", "PGHOST", "db", "TEMPORAL_ADDRESS", "t:7233", "MARATHON_HOME", "/root/.marathon");
    Map<String, String> env = CommandEnvironment.of(worker, List.copyOf(worker.keySet()), Set.of(), "/home/run", Map.of());
    assertEquals("true", env.get("CI"), "an ordinary variable passes when asked for");
    for (String name : List.of("MARATHON_STORE", "PGPASSWORD", "PGHOST", "TEMPORAL_ADDRESS", "MARATHON_HOME")) {
      assertFalse(env.containsKey(name), name + " reached the command");
      assertFalse(CommandEnvironment.passable(name), "--pass-env " + name + " is refused early");
    }
    assertTrue(CommandEnvironment.passable("CI"));
  }
}
