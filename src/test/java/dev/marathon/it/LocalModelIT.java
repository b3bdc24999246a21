package dev.marathon.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.activities.Json;
import dev.marathon.testing.DevServerFixture;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.Launcher;
import dev.marathon.testing.LocalWeightsForTests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's run command with nothing configured: no key, no model, no endpoint. The embedded
 * local model drives a real run end to end on the real dev server, offline.
 */
class LocalModelIT {
  @TempDir static Path tmp;
  static DevServerFixture server;

  @BeforeAll
  static void start() throws Exception {
    server = new DevServerFixture(Files.createDirectories(tmp.resolve("server")), "--headless").start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void aRunWithNothingConfiguredUsesTheLocalModelAndEndsCleanly() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "# a project\n"));
    Path home = tmp.resolve("home");
    Map<String, String> noModel = Map.of("MARATHON_BASE_URL", "", "MARATHON_MODEL", "", "MARATHON_API_KEY", "",
        "MARATHON_MODELS", LocalWeightsForTests.dir().toString());
    long t0 = System.nanoTime();
    Launcher.Result r = Launcher.run(home, noModel, 900, "run", "--repo", repo.toString(), "--id", "local-smoke",
        "--task", "Create notes.md containing the word marathon", "--address", server.address());
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf("local model smoke run: %.1f s, exit %d%n%s%n", seconds, r.exit(), r.err());
    assertTrue(r.exit() == 0 || r.exit() == 3, "finished, or ended at its small budget, without an error: " + r);
    assertTrue(r.err().contains("embedded local model smollm2-135m-instruct"), r.toString());
    assertTrue(r.err().contains("ended "), "the run ended: " + r);

    Launcher.Result status = Launcher.run(home, noModel, 120, "status", "local-smoke", "--json", "--address", server.address());
    JsonNode s = Json.MAPPER.readTree(status.out());
    assertTrue(s.path("toolCalls").asInt() >= 1, status.out());
    boolean ranInTheWorkspace = false;
    for (JsonNode a : s.path("recent")) {
      String line = a.path("line").asText();
      if (line.matches("(bash|write_file|edit_file|read_file|list_files|grep): .* → .*") && !line.contains("→ error")) ranInTheWorkspace = true;
    }
    assertTrue(ranInTheWorkspace, "at least one well-formed tool call ran in the workspace: " + s.path("recent"));
    assertTrue(s.path("outcome").asText().matches("finished|incomplete"), status.out());
  }
}
