package dev.marathon.activities.notify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.activities.Json;
import dev.marathon.activities.policy.UrlPrefixes;
import dev.marathon.activities.policy.WorkerPolicy;
import dev.marathon.workflows.NotifyTarget;
import dev.marathon.workflows.api.Notification;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where this worker delivers a run's events, by its operator's word and not the run's input. A
 * run's input is written by whoever reaches the Temporal server; if a worker posted to any URL it
 * names, anyone could make every worker call this machine's or the private network's services, and
 * if it ran any command it names, anyone could run code on every worker outside the sandbox. So:
 * <ul>
 *   <li>a <b>name</b> is looked up in the worker's own {@code config.json}, {@code "notifyEndpoints":
 *       {"team": {"url": "https://hooks.slack.com/services/…", "format": "slack"}, "desk": {"command":
 *       ["notify-send", "Marathon"]}}} — the only way to a command, and the way to keep a webhook URL
 *       (itself a secret) out of history;
 *   <li>a <b>URL</b> is posted to only when the operator lists its prefix in {@value #ENV}, or when
 *       this is the worker of the {@code run} command whose user typed it for that very run.
 * </ul>
 */
public final class NotifyEndpoints {
  public static final String ENV = "MARATHON_NOTIFY_URLS";
  public static final String CONFIG_KEY = "notifyEndpoints";

  /** A delivery: an http(s) POST, or a command fed the event on its standard input. */
  public sealed interface Endpoint permits Post, Command {
    String format();
  }

  public record Post(String url, String display, String format) implements Endpoint {}

  public record Command(List<String> argv, String format) implements Endpoint {}

  private final Map<String, Endpoint> named;
  private final UrlPrefixes allowed;
  private final WorkerPolicy policy;

  NotifyEndpoints(Map<String, Endpoint> named, UrlPrefixes allowed, WorkerPolicy policy) {
    this.named = Map.copyOf(named);
    this.allowed = allowed;
    this.policy = policy;
  }

  /**
   * The endpoints {@code workerConfig} names (a missing file names none) and the URL prefixes
   * {@code allowedUrls} lists; a malformed config fails here, when the worker starts, not at 3 a.m.
   */
  public static NotifyEndpoints load(Path workerConfig, String allowedUrls, WorkerPolicy policy) {
    Map<String, Endpoint> named = new LinkedHashMap<>();
    if (workerConfig != null && Files.isRegularFile(workerConfig)) {
      JsonNode config;
      try {
        config = Json.MAPPER.readTree(workerConfig.toFile());
      } catch (IOException e) {
        throw new IllegalArgumentException(workerConfig + " is not valid JSON: " + e.getMessage());
      }
      config.path(CONFIG_KEY).fields().forEachRemaining(e -> named.put(e.getKey(), endpoint(workerConfig, e.getKey(), e.getValue())));
    }
    return new NotifyEndpoints(named, UrlPrefixes.of(allowedUrls), policy);
  }

  /** Where {@code n} goes, or {@link IllegalArgumentException} saying why this worker will not deliver it. */
  /** @param workflowId the id Temporal runs the event's workflow under: the only id "this worker's own run" is checked against */
  public Endpoint resolve(Notification n, String workflowId) {
    NotifyTarget target = new NotifyTarget(n.target(), n.format());
    String problem = target.problem();
    if (problem == null && target.isUrl()) problem = urlProblem(n.target());
    if (problem != null) throw new IllegalArgumentException(problem);
    if (!target.isUrl()) {
      Endpoint e = named.get(n.target());
      if (e == null) {
        throw new IllegalArgumentException("this worker has no notification endpoint named '" + n.target() + "' in its config.json's "
            + CONFIG_KEY);
      }
      return e;
    }
    if (!allowed.matches(n.target()) && !(policy.isOwn(workflowId) && workflowId.equals(n.runId()))) {
      // Not the list itself: it is the operator's, and may hold webhook paths.
      throw new IllegalArgumentException("this worker does not post to " + target.display() + ": a run's input can name any URL, so a"
          + " worker posts only where its operator allows (" + ENV + (allowed.isEmpty() ? " is not set" : " does not list it")
          + "); or name an endpoint of its config.json's " + CONFIG_KEY);
    }
    return new Post(n.target(), target.display(), n.format() != null ? n.format() : formatFor(n.target()));
  }

  /** Null when {@code url} is an http(s) URL with a host that Java can post to, else why not (naming it by its host only). */
  public static String urlProblem(String url) {
    NotifyTarget t = new NotifyTarget(url, null);
    try {
      URI u = new URI(url);
      if (u.getHost() == null || u.getRawUserInfo() != null) return "notification URL " + t.display() + " has no valid host";
      return null;
    } catch (java.net.URISyntaxException e) {
      return "notification URL " + t.display() + " is not a valid URL";
    }
  }

  /** Slack's and Teams' webhook hosts get their format unless one is given; anything else JSON. */
  static String formatFor(String url) {
    String host = URI.create(url).getHost().toLowerCase(Locale.ROOT);
    if (host.equals("hooks.slack.com")) return "slack";
    if (host.endsWith(".webhook.office.com") || host.endsWith(".logic.azure.com")) return "teams";
    return "json";
  }

  private static Endpoint endpoint(Path file, String name, JsonNode e) {
    String where = file + ": " + CONFIG_KEY + "." + name;
    String format = e.hasNonNull("format") ? e.get("format").asText() : null;
    if (format != null && !NotifyTarget.FORMATS.contains(format)) {
      throw new IllegalArgumentException(where + ".format must be one of " + String.join(", ", NotifyTarget.FORMATS));
    }
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) throw new IllegalArgumentException(where + ": a name is letters, digits, _ . -");
    if (e.hasNonNull("url") == e.hasNonNull("command")) throw new IllegalArgumentException(where + " needs either \"url\" or \"command\"");
    if (e.hasNonNull("url")) {
      NotifyTarget t = new NotifyTarget(e.get("url").asText(), format);
      if (!t.isUrl() || t.problem() != null || urlProblem(t.to()) != null) {
        throw new IllegalArgumentException(where + ".url is not an http(s) URL with a host and without a password");
      }
      return new Post(t.to(), name, format != null ? format : formatFor(t.to()));
    }
    List<String> argv = new ArrayList<>();
    e.get("command").forEach(a -> argv.add(a.asText()));
    if (!e.get("command").isArray() || argv.isEmpty() || argv.get(0).isBlank()) {
      throw new IllegalArgumentException(where + ".command must be a list of words, e.g. [\"notify-send\", \"Marathon\"] (no shell)");
    }
    return new Command(argv, format != null ? format : "json");
  }
}
