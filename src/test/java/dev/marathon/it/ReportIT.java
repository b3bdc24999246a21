package dev.marathon.it;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.finish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.activities.Json;
import dev.marathon.runtime.Runs;
import dev.marathon.testing.DevServerFixture;
import dev.marathon.testing.Eventually;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.Launcher;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.TestRuns;
import dev.marathon.testing.WorkerProcess;
import dev.marathon.workflows.Budget;
import dev.marathon.workflows.RunOptions;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The morning report against the real dev server: of three runs, the one that ended before the
 * window is left out; the one that finished and the one paused on its budget are in, with their
 * numbers, branch, why the paused one waits and what to do. The HTML page is opened in Chromium
 * (screenshot in target/report-screenshots/) and shows the timeline and the runs.
 */
class ReportIT {
  @TempDir Path tmp;

  @Test
  void theReportListsExactlyTheWindowsRunsAndItsPageShowsThemInABrowser() throws Exception {
    assertTrue(Files.isExecutable(WebUiBrowserIT.CHROMIUM) && Files.isExecutable(WebUiBrowserIT.CHROMEDRIVER),
        "chromium and chromium-driver are not installed (scripts/install-test-tools installs them)");
    Path home = tmp.resolve("home");
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "# night\n"));
    ScriptedModel.Script script = (turn, req) -> turn == 1
        ? Reply.tools("work", bash("echo " + ScriptedModel.task(req).length() + " >> night.txt")) : Reply.tools("done", finish("Did the night's work."));
    try (DevServerFixture server = new DevServerFixture(Files.createDirectories(tmp.resolve("server")), "--headless").start();
        ScriptedModel model = new ScriptedModel(script);
        WorkerProcess worker = WorkerProcess.start(home, server.address(), tmp.resolve("worker.log"));
        var conn = server.connect(home)) {
      Runs runs = new Runs(conn.client());
      runs.start(TestRuns.state("yesterday-1", repo, model.baseUrl(), "Yesterday's job"));
      awaitStatus(runs, "yesterday-1", WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
      Thread.sleep(4_000);
      Instant windowStart = Instant.now();
      runs.start(TestRuns.state("night-ok", repo, model.baseUrl(), "Tonight's job"));
      runs.start(TestRuns.state("night-paused", repo, TestRuns.model(model.baseUrl(), 200_000), "A job that runs out of turns",
          RunOptions.DEFAULTS, new Budget(1, null, null, null, null)));
      awaitStatus(runs, "night-ok", WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
      Eventually.get(() -> "paused".equals(runs.describe("night-paused").getTypedSearchAttributes()
          .get(dev.marathon.workflows.MarathonSearchAttributes.PHASE)) ? true : null, Duration.ofMinutes(2), "night-paused paused on its budget");

      String since = windowStart.toString();
      Path page = tmp.resolve("report.html");
      Launcher.Result r = Launcher.run(home, Map.of(), 120, "report", "--since", since, "--json", "--html", page.toString(),
          "--repo", repo.toString(), "--address", server.address());
      assertEquals(0, r.exit(), r.toString());
      Map<String, JsonNode> byId = new HashMap<>();
      for (JsonNode run : Json.MAPPER.readTree(r.out()).path("runs")) byId.put(run.path("id").asText(), run);
      assertEquals(java.util.Set.of("night-ok", "night-paused"), byId.keySet(), "exactly the window's runs: " + r.out());
      JsonNode ok = byId.get("night-ok");
      assertEquals("finished", ok.path("outcome").asText());
      assertEquals(2, ok.path("turns").asInt());
      assertEquals("Did the night's work.", ok.path("summary").asText());
      assertEquals("marathon/night-ok", ok.path("branch").asText());
      assertEquals("1 file changed, 1 insertion(+)", ok.path("diffstat").asText());
      assertTrue(ok.path("next").asText().contains("./marathon diff night-ok"), ok.toString());
      JsonNode paused = byId.get("night-paused");
      assertEquals("paused", paused.path("phase").asText());
      assertTrue(paused.path("pausedBecause").asText().contains("turn"), paused.toString());
      assertTrue(paused.path("next").asText().contains("unpause night-paused"), paused.toString());

      Launcher.Result text = Launcher.run(home, Map.of(), 120, "report", "--since", since, "--address", server.address());
      assertTrue(text.out().contains("2 runs since") && text.out().contains("waits: "), text.toString());
      Launcher.Result bad = Launcher.run(home, Map.of(), 60, "report", "--since", "yesterday", "--address", server.address());
      assertEquals(2, bad.exit(), bad.toString());
      assertTrue(bad.err().contains("--since takes a duration"), bad.toString());
      Launcher.Result elsewhere = Launcher.run(home, Map.of(), 120, "report", "--since", since, "--json", "--repo", tmp.resolve("other").toString(),
          "--address", server.address());
      assertEquals(0, Json.MAPPER.readTree(elsewhere.out()).path("runs").size(), "--repo filters: " + elsewhere);

      ChromeDriver browser = browser();
      try {
        browser.get(page.toUri().toString());
        String body = browser.findElement(By.tagName("body")).getText();
        assertTrue(body.contains("night-ok") && body.contains("night-paused") && body.contains("Did the night's work."), body);
        assertEquals(1, browser.findElements(By.cssSelector("svg#timeline rect.finished")).size(), "a bar for the finished run");
        assertEquals(1, browser.findElements(By.cssSelector("svg#timeline rect.paused")).size(), "a bar for the paused one");
        assertTrue(browser.findElements(By.cssSelector("a[href*='/workflows/night-ok']")).size() == 1, "a link to its Web UI page");
        Path shots = Files.createDirectories(Launcher.root().resolve("target/report-screenshots"));
        Files.write(shots.resolve("report.png"), browser.getScreenshotAs(OutputType.BYTES));
        System.out.println("[report] screenshot: " + shots.resolve("report.png"));
      } finally {
        browser.quit();
      }
    }
  }

  static void awaitStatus(Runs runs, String id, WorkflowExecutionStatus status) {
    Eventually.get(() -> runs.describe(id).getStatus() == status ? true : null, Duration.ofMinutes(2), id + " " + status);
  }

  ChromeDriver browser() throws Exception {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(WebUiBrowserIT.CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
        "--window-size=1400,900", "--allow-file-access-from-files", "--user-data-dir=" + Files.createDirectories(tmp.resolve("chrome-profile")));
    return new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(WebUiBrowserIT.CHROMEDRIVER.toFile()).build(), options);
  }
}
