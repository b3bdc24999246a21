package dev.marathon.activities.notify;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.marathon.activities.Json;
import dev.marathon.workflows.api.Notification;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a notification's body is in each format: {@code json} (every field, snake_case, for
 * scripts), {@code slack} (an incoming webhook's {@code text} and blocks) and {@code teams} (a
 * Workflows webhook's message with an Adaptive Card). Pure: tested without a network.
 */
final class NotificationPayloads {

  static String render(Notification n, String format, String webUi) {
    ObjectNode body = switch (format) {
      case "slack" -> slack(n, webUi);
      case "teams" -> teams(n, webUi);
      default -> json(n, webUi);
    };
    return body.toString();
  }

  /** One line a person reads first, e.g. "Marathon run fix-tests paused (budget): turn budget reached (10 of 10)". */
  static String headline(Notification n) {
    String run = "Marathon run " + n.runId();
    return switch (n.event()) {
      case Notification.PAUSED -> run + " paused (" + n.cause() + "): " + n.reason();
      case Notification.NEAR_LIMIT -> run + " is near its " + n.cause() + " budget: " + n.reason();
      default -> run + " ended " + n.outcome() + " after " + n.turns() + " turns";
    };
  }

  static ObjectNode json(Notification n, String webUi) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("event", n.event());
    o.put("event_id", n.eventId());
    o.put("at", Instant.ofEpochMilli(n.atMillis()).toString());
    o.put("text", headline(n));
    o.put("run_id", n.runId());
    o.put("title", n.title());
    o.put("repository", n.repository());
    o.put("branch", n.branch());
    o.put("outcome", n.outcome());
    o.put("cause", n.cause());
    o.put("reason", n.reason());
    o.put("next", n.next());
    o.put("summary", n.summary());
    o.put("turns", n.turns());
    o.put("tool_calls", n.toolCalls());
    o.put("tokens", n.tokens());
    o.put("cost_usd", n.costUsd());
    o.put("web_ui", webUi);
    return o;
  }

  static ObjectNode slack(Notification n, String webUi) {
    StringBuilder text = new StringBuilder("*").append(mrkdwn(headline(n))).append("*\n");
    text.append(mrkdwn(n.title())).append("\n");
    for (Map.Entry<String, String> f : facts(n).entrySet()) text.append(f.getKey()).append(": ").append(mrkdwn(f.getValue())).append("\n");
    if (n.summary() != null) text.append(">").append(mrkdwn(n.summary())).append("\n");
    if (n.next() != null) text.append("Next: `").append(mrkdwn(n.next()).replace('`', '\'')).append("`\n");
    if (webUi != null) text.append("<").append(webUi).append("|Open in the Temporal Web UI>");
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("text", mrkdwn(headline(n))); // what notifications and clients without blocks show
    ArrayNode blocks = o.putArray("blocks");
    ObjectNode section = blocks.addObject().put("type", "section");
    section.putObject("text").put("type", "mrkdwn").put("text", text.toString().strip());
    return o;
  }

  static ObjectNode teams(Notification n, String webUi) {
    ObjectNode card = Json.MAPPER.createObjectNode();
    card.put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json").put("type", "AdaptiveCard").put("version", "1.4");
    ArrayNode body = card.putArray("body");
    body.addObject().put("type", "TextBlock").put("text", headline(n)).put("weight", "Bolder").put("wrap", true);
    body.addObject().put("type", "TextBlock").put("text", n.title()).put("wrap", true);
    ArrayNode facts = body.addObject().put("type", "FactSet").putArray("facts");
    facts(n).forEach((k, v) -> facts.addObject().put("title", k).put("value", v));
    if (n.summary() != null) body.addObject().put("type", "TextBlock").put("text", n.summary()).put("wrap", true);
    if (n.next() != null) body.addObject().put("type", "TextBlock").put("text", "Next: " + n.next()).put("wrap", true).put("fontType", "Monospace");
    if (webUi != null) card.putArray("actions").addObject().put("type", "Action.OpenUrl").put("title", "Open in the Temporal Web UI").put("url", webUi);
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("type", "message");
    o.putArray("attachments").addObject().put("contentType", "application/vnd.microsoft.card.adaptive").set("content", card);
    return o;
  }

  private static Map<String, String> facts(Notification n) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("Repository", n.repository());
    f.put("Branch", n.branch());
    f.put("Turns", n.turns() + " (" + n.toolCalls() + " tool calls)");
    f.put("Spent", String.format(Locale.ROOT, "%,d tokens, $%.2f", n.tokens(), n.costUsd()));
    return f;
  }

  /** Slack's mrkdwn reads &, < and > as markup: a run's text is escaped so it cannot make links or mentions. */
  private static String mrkdwn(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private NotificationPayloads() {}
}
