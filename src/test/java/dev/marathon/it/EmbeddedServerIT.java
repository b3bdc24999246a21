package dev.marathon.it;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.finish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.testing.DevServerFixture;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.Launcher;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Reply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What ./marathon does when no server answers: start the real dev server, or fall back loudly. */
class EmbeddedServerIT {
  @TempDir Path tmp;

  static ScriptedModel twoTurns() throws Exception {
    return new ScriptedModel((turn, req) -> turn == 1 ? Reply.tools("go", bash("echo hi > hi.txt")) : Reply.tools("done", finish("said hi")));
  }

  static String[] run(ScriptedModel model, Path repo, String id, String address) {
    return new String[] {"run", "--repo", repo.toString(), "--id", id, "--task", "Say hi", "--base-url", model.baseUrl(),
        "--model", "scripted-1", "--api-key-env", "MARATHON_TEST_KEY", "--address", address};
  }

  @Test
  void runStartsTheRealDevServerInTheBackgroundAndItOutlivesTheCommand() throws Exception {
    Path home = tmp.resolve("home");
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));
    String address = "127.0.0.1:" + DevServerFixture.freePortWithUi();
    int uiPort = Integer.parseInt(address.substring(address.indexOf(':') + 1)) + 1000;
    try (ScriptedModel model = twoTurns()) {
      Launcher.Result r = Launcher.run(home, Map.of(), 300, run(model, repo, "embedded-1", address));
      assertEquals(0, r.exit(), r.toString());
      assertTrue(r.err().contains("Started the Temporal dev server in the background"), r.toString());
      assertTrue(r.err().contains("./marathon server --stop"), r.toString());
      assertTrue(Files.exists(home.resolve("temporal.db")), "SQLite persistence under MARATHON_HOME");

      // The command is gone; the server and its Web UI are still there, and know the run.
      HttpResponse<String> ui = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + uiPort + "/")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, ui.statusCode());
      Launcher.Result status = Launcher.run(home, Map.of(), 120, "status", "embedded-1", "--json", "--address", address);
      assertTrue(status.out().contains("\"status\":\"completed\""), status.toString());
    } finally {
      Launcher.Result stop = Launcher.run(home, Map.of(), 60, "server", "--stop");
      assertEquals(0, stop.exit(), stop.toString());
      assertTrue(stop.err().contains("stopped the Temporal dev server"), stop.toString());
    }
  }

  @Test
  void withoutTheCliItFallsBackToTheInProcessServerAndSaysRunsWillNotSurvive() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo2"), Map.of("a.txt", "a\n"));
    String address = "127.0.0.1:" + DevServerFixture.freePort();
    try (ScriptedModel model = twoTurns()) {
      Launcher.Result r = Launcher.run(tmp.resolve("home2"),
          Map.of("MARATHON_TEMPORAL_BIN", tmp.resolve("no-such-temporal").toString(), "MARATHON_SKIP_INSTALL", "1"),
          300, run(model, repo, "fallback-1", address));
      assertEquals(0, r.exit(), r.toString());
      assertTrue(r.err().contains("will NOT survive this process"), r.toString());
      assertFalse(r.err().contains("Web UI:"), r.toString());
      assertEquals("hi", GitRepos.git(repo, "show", "marathon/fallback-1:hi.txt"));

      Launcher.Result detached = Launcher.run(tmp.resolve("home2"),
          Map.of("MARATHON_TEMPORAL_BIN", tmp.resolve("no-such-temporal").toString(), "MARATHON_SKIP_INSTALL", "1"),
          120, append(run(model, repo, "fallback-2", address), "--detach"));
      assertEquals(2, detached.exit(), detached.toString());
      assertTrue(detached.err().contains("--detach needs a Temporal server"), detached.toString());
    }
  }

  @Test
  void serverRunsTheDevServerInTheForegroundWithMarathonsSearchAttributes() throws Exception {
    int port = DevServerFixture.freePort();
    ProcessBuilder pb = Launcher.builder(tmp.resolve("home3"), Map.of(), "server", "--port", Integer.toString(port),
        "--ui-port", Integer.toString(DevServerFixture.freePort()), "--headless", "--db", tmp.resolve("fg.db").toString());
    Process server = pb.redirectErrorStream(true).redirectOutput(tmp.resolve("fg.log").toFile()).start();
    try {
      String address = "127.0.0.1:" + port;
      dev.marathon.testing.Eventually.get(() -> {
        try {
          Process list = new ProcessBuilder(DevServerFixture.binary().toString(), "operator", "search-attribute", "list", "--address", address)
              .redirectErrorStream(true).start();
          String out = new String(list.getInputStream().readAllBytes());
          return list.waitFor() == 0 && out.contains("MarathonPhase") && out.contains("MarathonCostUsd") ? true : null;
        } catch (Exception e) {
          return null;
        }
      }, java.time.Duration.ofSeconds(60), "the foreground server with search attributes");
    } finally {
      server.descendants().forEach(ProcessHandle::destroy);
      server.destroy();
    }
  }

  static String[] append(String[] a, String b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + 1);
    out[a.length] = b;
    return out;
  }
}
