package dev.marathon.activities.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.activities.policy.KeyBindings;
import dev.marathon.activities.policy.WorkerPolicy;
import dev.marathon.workflows.NotifyTarget;
import dev.marathon.workflows.api.Notification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a worker delivers: its config's names, its operator's URL prefixes, its own run's URLs — and nowhere a run's input alone says. */
class NotifyEndpointsTest {
  @TempDir Path tmp;
  private static final WorkerPolicy STRICT = WorkerPolicy.strict(KeyBindings.none());

  @Test
  void aNameIsLookedUpInTheWorkersConfigAndAnUnknownOneIsRefused() throws Exception {
    Path config = Files.writeString(tmp.resolve("config.json"), "{\"notifyEndpoints\": {"
        + "\"team\": {\"url\": \"https://hooks.slack.com/services/T0/B0/secret\"},"
        + "\"desk\": {\"command\": [\"notify-send\", \"Marathon\"], \"format\": \"json\"}}}");
    NotifyEndpoints endpoints = NotifyEndpoints.load(config, null, STRICT);
    NotifyEndpoints.Endpoint team = endpoints.resolve(event("team", null), "run-1");
    assertEquals(new NotifyEndpoints.Post("https://hooks.slack.com/services/T0/B0/secret", "team", "slack"), team, "Slack's host gets Slack's format");
    assertEquals(new NotifyEndpoints.Command(List.of("notify-send", "Marathon"), "json"), endpoints.resolve(event("desk", null), "run-1"));
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> endpoints.resolve(event("pager", null), "run-1"));
    assertTrue(unknown.getMessage().contains("no notification endpoint named 'pager'"), unknown.getMessage());
    assertFalse(unknown.getMessage().contains("team"), "the worker's endpoints are its operator's, not for a run's history: " + unknown.getMessage());
  }

  @Test
  void aUrlIsPostedToOnlyWhereTheOperatorAllowsOrForTheRunCommandsOwnRun() {
    NotifyEndpoints none = NotifyEndpoints.load(tmp.resolve("missing.json"), null, STRICT);
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> none.resolve(event("http://169.254.169.254/latest/meta-data", null), "run-1"));
    assertTrue(refused.getMessage().contains("does not post to http://169.254.169.254/…")
        && refused.getMessage().contains("MARATHON_NOTIFY_URLS is not set"), refused.getMessage());
    assertFalse(refused.getMessage().contains("meta-data"), "a URL is named by its host only");

    NotifyEndpoints allowed = NotifyEndpoints.load(null, "https://hooks.example.com/team", STRICT);
    assertEquals("json", allowed.resolve(event("https://hooks.example.com/team/a", null), "run-1").format());
    assertEquals("teams", allowed.resolve(event("https://hooks.example.com/team", "teams"), "run-1").format());
    for (String outside : List.of("https://hooks.example.com/teams", "https://hooks.example.com.evil.net/team", "http://hooks.example.com/team",
        "https://hooks.example.com/team/../admin", "https://hooks.example.com/team/%2e%2e/admin", "https://hooks.example.com/team/..%2Fadmin",
        "https://hooks.example.com/team/a|b")) {
      assertThrows(IllegalArgumentException.class, () -> allowed.resolve(event(outside, null), "run-1"), outside);
    }

    NotifyEndpoints own = NotifyEndpoints.load(null, null, STRICT.trusting("run-1", null, null));
    assertEquals("json", own.resolve(event("http://127.0.0.1:9/hook", null), "run-1").format(), "what the run command's user typed");
    assertThrows(IllegalArgumentException.class, () -> own.resolve(new Notification("http://127.0.0.1:9/hook", null, "ended", "run-10/1", 0,
        "run-10", "t", "r", "b", null, null, null, null, null, 0, 0, 0, 0), "run-10"), "another run, whose id merely begins like it");
    assertThrows(IllegalArgumentException.class, () -> own.resolve(event("http://127.0.0.1:9/hook", null), "someone-else"),
        "a workflow of someone else's that names the run command's run id in its input");
  }

  @Test
  void aBrokenConfigFailsWhenTheWorkerStartsNotAtThreeInTheMorning() throws Exception {
    for (String bad : List.of("{\"notifyEndpoints\": {\"x\": {}}}", "{\"notifyEndpoints\": {\"x\": {\"command\": \"notify-send hi\"}}}",
        "{\"notifyEndpoints\": {\"x\": {\"url\": \"https://user:pw@hooks.example.com/\"}}}",
        "{\"notifyEndpoints\": {\"x\": {\"url\": \"https://h.example.com/\", \"format\": \"xml\"}}}", "{not json")) {
      Path config = Files.writeString(tmp.resolve("config.json"), bad);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NotifyEndpoints.load(config, null, STRICT), bad);
      assertFalse(e.getMessage().contains("pw@"), e.getMessage());
    }
  }

  @Test
  void aTargetIsShownByItsHostAndCheckedBeforeAnyoneUsesIt() {
    assertEquals("https://hooks.slack.com/…", new NotifyTarget("https://hooks.slack.com/services/T0/B0/secret", null).display());
    assertEquals("desk", new NotifyTarget("desk", null).display());
    assertNull(new NotifyTarget("https://[::1]:8443/x", null).problem());
    assertTrue(new NotifyTarget("https://u:secret@h.example.com/", null).problem().contains("user or password"));
    assertFalse(new NotifyTarget("https://u:secret@h.example.com/", null).problem().contains("secret"));
    assertTrue(new NotifyTarget("https:///nohost", null).problem().contains("no valid host"));
    assertTrue(new NotifyTarget("rm -rf /", null).problem().contains("neither an http(s) URL nor an endpoint name"));
    assertTrue(new NotifyTarget("desk", "xml").problem().contains("json, slack, teams"));
  }

  private static Notification event(String target, String format) {
    return new Notification(target, format, "paused", "run-1/1", 0, "run-1", "title", "/repo", "marathon/run-1", null, "budget",
        "turn budget reached", "./marathon budget run-1 --max-turns 15", null, 5, 7, 1000, 0.5);
  }
}
