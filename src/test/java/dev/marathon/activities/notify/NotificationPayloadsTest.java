package dev.marathon.activities.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.activities.Json;
import dev.marathon.workflows.api.Notification;
import org.junit.jupiter.api.Test;

/** The three bodies: every field for scripts, Slack's text and blocks (run text cannot make mentions), a Teams Adaptive Card. */
class NotificationPayloadsTest {
  private static final String UI = "http://localhost:8233/namespaces/default/workflows/fix-tests";
  private static final Notification PAUSED = new Notification("x", null, "paused", "fix-tests/2", 1_764_000_000_000L, "fix-tests",
      "Fix <@U123> & the flaky tests", "/repo", "marathon/fix-tests", null, "budget", "turn budget reached (10 of 10)",
      "./marathon budget fix-tests --max-turns 20 (or let it report: ./marathon finish fix-tests)", null, 10, 31, 123_456, 1.25);

  @Test
  void jsonHasEveryFieldAScriptNeeds() throws Exception {
    JsonNode o = Json.MAPPER.readTree(NotificationPayloads.render(PAUSED, "json", UI));
    assertEquals("paused", o.path("event").asText());
    assertEquals("fix-tests/2", o.path("event_id").asText());
    assertEquals("2025-11-24T16:00:00Z", o.path("at").asText());
    assertEquals("Marathon run fix-tests paused (budget): turn budget reached (10 of 10)", o.path("text").asText());
    assertEquals("marathon/fix-tests", o.path("branch").asText());
    assertEquals(31, o.path("tool_calls").asInt());
    assertEquals(1.25, o.path("cost_usd").asDouble());
    assertEquals(UI, o.path("web_ui").asText());
    assertTrue(o.path("next").asText().startsWith("./marathon budget fix-tests --max-turns 20"));
  }

  @Test
  void slackGetsTextAndAMrkdwnSectionWhereTheRunsTextIsEscaped() throws Exception {
    JsonNode o = Json.MAPPER.readTree(NotificationPayloads.render(PAUSED, "slack", UI));
    assertTrue(o.path("text").asText().startsWith("Marathon run fix-tests paused"));
    String section = o.path("blocks").get(0).path("text").path("text").asText();
    assertEquals("mrkdwn", o.path("blocks").get(0).path("text").path("type").asText());
    assertTrue(section.contains("Fix &lt;@U123&gt; &amp; the flaky tests"), section);
    assertFalse(section.contains("<@U123>"), "a title cannot mention anyone");
    assertTrue(section.contains("<" + UI + "|Open in the Temporal Web UI>"), section);
  }

  @Test
  void teamsGetsAnAdaptiveCardWithTheFactsAndALink() throws Exception {
    JsonNode o = Json.MAPPER.readTree(NotificationPayloads.render(PAUSED, "teams", UI));
    assertEquals("message", o.path("type").asText());
    JsonNode card = o.path("attachments").get(0);
    assertEquals("application/vnd.microsoft.card.adaptive", card.path("contentType").asText());
    assertEquals("AdaptiveCard", card.path("content").path("type").asText());
    assertEquals("Repository", card.path("content").path("body").get(2).path("facts").get(0).path("title").asText());
    assertEquals(UI, card.path("content").path("actions").get(0).path("url").asText());
  }
}
