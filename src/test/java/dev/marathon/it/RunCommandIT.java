package dev.marathon.it;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.call;
import static dev.marathon.testing.ScriptedModel.finish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.activities.Json;
import dev.marathon.testing.DevServerFixture;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.Launcher;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./marathon run} end to end: the launcher, the real dev server, a scripted model over HTTP. */
class RunCommandIT {
  @TempDir static Path tmp;
  static DevServerFixture server;

  @BeforeAll
  static void startServer() throws Exception {
    server = new DevServerFixture(Files.createDirectories(tmp.resolve("server")), "--headless").start();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  static String[] runArgs(ScriptedModel model, Path repo, String id, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("run", "--repo", repo.toString(), "--id", id,
        "--base-url", model.baseUrl(), "--model", "scripted-1", "--provider", "kimi", "--api-key-env", "MARATHON_TEST_KEY",
        "--address", server.address()));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  @Test
  void runsAMultiTurnTaskToTheBranchAndReportsStatus() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo-ok"), Map.of("app.py", "print('hi')\n"));
    String before = GitRepos.fingerprint(repo);
    List<Reply> script = List.of(
        Reply.tools("plan", call("update_plan", Map.of("steps", List.of(Map.of("step", "add test", "status", "in_progress"))))),
        Reply.tools("write", call("write_file", Map.of("path", "test_app.py", "content", "def test_ok():\n    assert True\n"))),
        Reply.tools("commit", bash("git add -A && git -c user.name=agent -c user.email=a@b commit -q -m 'add test' && git log --oneline | head -3")),
        Reply.tools("done", finish("Added test_app.py and committed it.")));
    try (ScriptedModel model = new ScriptedModel((turn, req) -> script.get(turn - 1))) {
      Launcher.Result r = Launcher.run(tmp.resolve("home"), Map.of(), 300, runArgs(model, repo, "cli-ok", "--task", "Add a test"));
      assertEquals(0, r.exit(), r.toString());
      assertTrue(r.out().contains("Added test_app.py and committed it."), r.toString());
      assertTrue(r.err().contains("[turn 2] write_file: test_app.py → created"), r.toString());
      assertTrue(r.err().contains("[turn 3] bash: git add -A"), r.toString());
      assertTrue(model.violations().isEmpty(), model.violations().toString());
      assertEquals("add test", GitRepos.git(repo, "log", "-1", "--format=%s", "marathon/cli-ok"));
      assertTrue(GitRepos.git(repo, "show", "marathon/cli-ok:test_app.py").contains("def test_ok"));
      assertEquals(before, GitRepos.fingerprint(repo), "the user's checkout was touched");

      Launcher.Result status = Launcher.run(tmp.resolve("home"), Map.of(), 120, "status", "cli-ok", "--json", "--address", server.address());
      assertEquals(0, status.exit(), status.toString());
      JsonNode json = Json.MAPPER.readTree(status.out());
      assertEquals("cli-ok", json.path("workflowId").asText());
      assertEquals("completed", json.path("status").asText());
      assertEquals(4, json.path("turn").asInt());
      assertEquals(4, json.path("toolCalls").asInt());
      assertEquals("add test", json.path("plan").get(0).path("step").asText());
      assertTrue(json.path("usage").path("promptTokens").asLong() > 0);
      assertTrue(json.path("usage").has("completionTokens"));
      assertEquals("marathon/cli-ok", json.path("branch").asText());
      assertEquals("Added test_app.py and committed it.", json.path("summary").asText());
    }
  }

  @Test
  void aRunThatReachesItsTurnBudgetExitsThreeAndWaits() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo-limit"), Map.of("a.txt", "a\n"));
    try (ScriptedModel model = new ScriptedModel((turn, req) -> Reply.tools("again " + turn, bash("echo " + turn)))) {
      Launcher.Result r = Launcher.run(tmp.resolve("home"), Map.of(), 300,
          runArgs(model, repo, "cli-limit", "--task", "Never finish", "--max-turns", "3"));
      assertEquals(3, r.exit(), r.toString());
      assertTrue(r.err().contains("turn budget reached (3 of 3)"), r.toString());
      assertTrue(r.err().contains("./marathon budget cli-limit"), r.toString());
    }
  }

  @Test
  void aRunPausedByARefusedKeyAlsoExitsThreeNamingTheVariable() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo-key"), Map.of("a.txt", "a\n"));
    try (ScriptedModel model = new ScriptedModel((turn, req) ->
        Reply.error(401, "{\"error\":{\"message\":\"invalid api key\",\"code\":\"invalid_api_key\"}}", Map.of()))) {
      Launcher.Result r = Launcher.run(tmp.resolve("home"), Map.of(), 300, runArgs(model, repo, "cli-key", "--task", "Use a bad key"));
      assertEquals(3, r.exit(), "paused, not failed: " + r);
      assertTrue(r.err().contains("MARATHON_TEST_KEY") && r.err().contains("./marathon unpause cli-key"), r.toString());
    }
  }

  @Test
  void badInputIsRefusedWithExitTwoAndAClearMessage() throws Exception {
    Path home = tmp.resolve("home-bad");
    Path plain = Files.createDirectories(tmp.resolve("not-a-repo"));
    Path empty = Files.createDirectories(tmp.resolve("empty-repo"));
    GitRepos.git(empty, "init", "-q");
    Path repo = GitRepos.create(tmp.resolve("repo-bad"), Map.of("a.txt", "a\n"));
    Map<String, String> model = Map.of("MARATHON_BASE_URL", "http://127.0.0.1:9/v1", "MARATHON_MODEL", "m");
    Object[][] cases = {
        {new String[] {"run", "--repo", tmp.resolve("missing").toString(), "--task", "t"}, "does not exist"},
        {new String[] {"run", "--repo", plain.toString(), "--task", "t"}, "is not a git repository"},
        {new String[] {"run", "--repo", empty.toString(), "--task", "t"}, "has no commit"},
        {new String[] {"run", "--repo", "https://user:secret@example.com/x.git", "--task", "t"}, "no password"},
        {new String[] {"run", "--repo", "file://" + tmp.resolve("no-such.git"), "--task", "t"}, "cannot reach"},
        {new String[] {"run", "--repo", "file://" + empty, "--task", "t"}, "has no commit yet"},
        {new String[] {"run", "--repo", repo.toString()}, "--task"},
        {new String[] {"run", "--repo", repo.toString(), "--task", "t", "--task-file", "x"}, "mutually exclusive"},
        {new String[] {"run", "--repo", repo.toString(), "--task-file", tmp.resolve("nofile").toString()}, "does not exist"},
        {new String[] {"run", "--repo", repo.toString(), "--task", "t", "--id", "Bad Id!"}, "run id"},
        {new String[] {"run", "--repo", repo.toString(), "--task", "t", "--provider", "acme"}, "unknown provider"},
        {new String[] {"run", "--repo", repo.toString(), "--task", "t", "--base-url", "ftp://x"}, "must start with http"},
        {new String[] {"run", "--repo", repo.toString(), "--task", "t", "--base-url", "http://bad host/v1"}, "--base-url is not a valid URL"},
        {new String[] {"run", "--repo", repo.toString(), "--task", "t", "--base-url", "http:///v1"}, "--base-url has no host"},
        {new String[] {"run", "--repo", repo.toString(), "--task", "t", "--command-timeout", "-5"}, "--command-timeout must be at least 1"},
        {new String[] {"run", "--repo", repo.toString(), "--task", "t", "--command-timeout", "60", "--max-command-timeout", "30"}, "--max-command-timeout must be at least 60"},
        {new String[] {"run", "--repo", repo.toString(), "--task", "t", "--max-turns", "0"}, "--max-turns must be at least 1"},
        {new String[] {"run", "--repo", repo.toString(), "--task", "t", "--max-hours", "-1"}, "--max-hours must be greater than 0"},
        {new String[] {"run", "--repo", repo.toString(), "--task", "t", "--max-cost", "NaN"}, "--max-cost must be greater than 0"},
        {new String[] {"run", "--repo", repo.toString(), "--task", "t", "--max-tokens", "-100"}, "--max-tokens must be at least 1"},
        {new String[] {"run", "--repo", repo.toString(), "--task", "t", "--price", "1,-2,3"}, "--price takes three numbers, none negative"},
        {new String[] {"run", "--repo", repo.toString(), "--task", "t", "--price", "1,2"}, "--price takes three numbers"},
        {new String[] {"run", "--repo", repo.toString(), "--task", "t", "--compact-at", "150"}, "--compact-at must be between 10 and 95"},
        {new String[] {"run", "--repo", repo.toString(), "--task", "t", "--context-window", "12"}, "--context-window must be at least 1024"},
        {new String[] {"run", "--repo", repo.toString(), "--task", "t", "--sandbox", "maybe"}, "--sandbox must be on or off"},
        {new String[] {"run", "--repo", repo.toString(), "--task", "t", "--network", "sometimes"}, "--network must be on or off or open"},
        {new String[] {"run", "--repo", repo.toString(), "--task", "t", "--pass-env", "OPENAI_API_KEY"}, "--pass-env OPENAI_API_KEY refused"},
        {new String[] {"run", "--repo", repo.toString(), "--task", "t", "--max-turns", "many"}, "--max-turns"},
        {new String[] {"budget", "some-run", "--max-hours", "-2"}, "--max-hours must be greater than 0"},
        {new String[] {"gc", "--keep-days", "-1"}, "--keep-days must be at least 0"},
    };
    for (Object[] c : cases) {
      Launcher.Result r = Launcher.run(home, model, 120, (String[]) c[0]);
      assertEquals(2, r.exit(), r.toString());
      assertTrue(r.err().contains((String) c[1]), "expected '" + c[1] + "' in " + r);
      assertTrue(!r.err().contains("\tat "), "no stack traces for bad input: " + r);
      assertTrue(!r.err().contains(":secret@"), "a password in a URL is not echoed: " + r);
    }
    // Nothing configured runs the embedded local model (LocalModelIT); a model with no endpoint is refused.
    Launcher.Result noEndpoint = Launcher.run(home, Map.of("MARATHON_BASE_URL", "", "MARATHON_MODEL", ""), 120,
        "run", "--repo", repo.toString(), "--task", "t", "--model", "my-model");
    assertEquals(2, noEndpoint.exit(), noEndpoint.toString());
    assertTrue(noEndpoint.err().contains("no endpoint for model 'my-model'") && noEndpoint.err().contains("--base-url"), noEndpoint.toString());
  }
}
