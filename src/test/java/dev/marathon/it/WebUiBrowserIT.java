package dev.marathon.it;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.call;
import static dev.marathon.testing.ScriptedModel.finish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.runtime.Connection;
import dev.marathon.runtime.MarathonHome;
import dev.marathon.runtime.Runs;
import dev.marathon.runtime.WorkerHost;
import dev.marathon.testing.DevServerFixture;
import dev.marathon.testing.Eventually;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.Launcher;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.TestRuns;
import dev.marathon.workflows.Budget;
import dev.marathon.workflows.RunOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A person opening the Web UI after the run sees the story: Debian's chromium, driven by
 * Selenium, opens the run's page and finds the task summary and what each step did.
 * Screenshots land in target/ui-screenshots/.
 */
class WebUiBrowserIT {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  @TempDir Path tmp;

  @Test
  void theRunPageShowsTheTaskAndWhatEachStepDid() throws Exception {
    assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "chromium and chromium-driver are not installed (scripts/install-test-tools installs them)");
    List<Reply> script = List.of(
        Reply.tools("Plan.", call("update_plan", Map.of("steps", List.of(
            Map.of("step", "reproduce the flaky test", "status", "completed"),
            Map.of("step", "fix the race in CacheTest", "status", "in_progress"))))),
        Reply.tools("Test.", bash("echo running mvn -q test")),
        Reply.tools("Done.", finish("Fixed the race in CacheTest.")));
    try (DevServerFixture server = new DevServerFixture(Files.createDirectories(tmp.resolve("server"))).start();
        ScriptedModel model = new ScriptedModel((turn, req) -> script.get(turn - 1));
        Connection conn = server.connect(tmp.resolve("home"));
        WorkerHost worker = WorkerHost.start(conn.client(), new MarathonHome(tmp.resolve("home")))) {
      Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "# ui\n"));
      Runs runs = new Runs(conn.client());
      runs.start(TestRuns.state("ui-story", repo, TestRuns.model(model.baseUrl(), 200_000), "Fix the flaky CacheTest", RunOptions.DEFAULTS, Budget.UNLIMITED));
      assertEquals("Fixed the race in CacheTest.", runs.result("ui-story").summary());

      String url = Launcher.run(tmp.resolve("home"), Map.of(), 120, "ui", "ui-story", "--address", server.address()).out().strip();
      Path shots = Files.createDirectories(Launcher.root().resolve("target/ui-screenshots"));
      ChromeDriver browser = browser();
      try {
        browser.get(url);
        String page = Eventually.get(() -> {
          String text = browser.findElement(org.openqa.selenium.By.tagName("body")).getText();
          return text.contains("Fix the flaky CacheTest") && text.contains("model: turn 1") ? text : null;
        }, Duration.ofSeconds(60), "the run page to show the task and the step summaries");
        assertTrue(page.contains("bash: echo running mvn -q test"), page);
        save(browser, shots.resolve("run-history.png"));

        // The run's own story: summary, static details, and the live details with the plan.
        browser.findElement(org.openqa.selenium.By.xpath("//*[normalize-space(text())='User Metadata']")).click();
        String metadata = Eventually.get(() -> {
          String text = textWithFrames(browser);
          return text.contains("fix the race in CacheTest") && text.contains("marathon/ui-story") ? text : null;
        }, Duration.ofSeconds(60), "the user metadata tab to show details and the plan");
        assertTrue(metadata.contains("Fix the flaky CacheTest"), metadata);
        assertTrue(metadata.contains("reproduce the flaky test"), metadata);
        save(browser, shots.resolve("run-metadata.png"));
      } catch (AssertionError e) {
        save(browser, shots.resolve("run-history-failed.png"));
        throw new AssertionError(e.getMessage() + "\npage text:\n" + browser.findElement(org.openqa.selenium.By.tagName("body")).getText(), e);
      } finally {
        browser.quit();
      }
    }
  }

  ChromeDriver browser() throws Exception {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // The flags this machine's closed network needs (no background connections, no sandbox as root).
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
        "--window-size=1600,1200", "--user-data-dir=" + Files.createDirectories(tmp.resolve("chrome-profile")));
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    return new ChromeDriver(service, options);
  }

  /** The page's text, including the sandboxed frames the UI renders Markdown in. */
  static String textWithFrames(ChromeDriver browser) {
    StringBuilder sb = new StringBuilder(browser.findElement(org.openqa.selenium.By.tagName("body")).getText());
    List<org.openqa.selenium.WebElement> frames = browser.findElements(org.openqa.selenium.By.tagName("iframe"));
    for (org.openqa.selenium.WebElement frame : frames) {
      browser.switchTo().frame(frame);
      sb.append('\n').append(browser.findElement(org.openqa.selenium.By.tagName("body")).getText());
      browser.switchTo().defaultContent();
    }
    return sb.toString();
  }

  static void save(ChromeDriver browser, Path file) throws Exception {
    Files.write(file, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
  }
}
