package dev.marathon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.activities.Json;
import dev.marathon.activities.notify.NotifyEndpoints;
import dev.marathon.runtime.MarathonHome;
import dev.marathon.workflows.NotifyTarget;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * Where a run's events go: {@code --notify} targets, and the {@code "notify"} lists of the user's
 * and the repository's {@code .marathon/config.json}. A repository's list may only name endpoints
 * (its committers, or an agent on its branch, wrote it: it must not send the run's news to a host of
 * its choosing); the worker resolves names in its own config and posts to URLs only where its
 * operator allows (NotifyEndpoints).
 */
final class NotifyOptions {
  @Option(names = "--notify", paramLabel = "URL|NAME",
      description = {"Post the run's events (paused, with the command that resumes it; past 80% of a budget; ended) to this URL,",
          "or to the endpoint of this name in the worker's config.json \"notifyEndpoints\" (a webhook URL kept out of history,",
          "or a command). Repeatable. Workers post to a URL only if their MARATHON_NOTIFY_URLS lists it, or it is this command's."})
  List<String> targets = new ArrayList<>();

  @Option(names = "--notify-format", paramLabel = "json|slack|teams",
      description = "Body of the --notify URLs' posts (default: slack for hooks.slack.com, teams for Teams webhooks, json otherwise).")
  String format;

  /** The run's targets, checked; {@code repo} may be null (a URL's config is not read). */
  List<NotifyTarget> targets(Path repo) {
    if (format != null) OptionChecks.oneOf("--notify-format", format, NotifyTarget.FORMATS.toArray(String[]::new));
    if (format != null && targets.stream().noneMatch(t -> new NotifyTarget(t, null).isUrl())) {
      throw new BadInputException("--notify-format goes with a --notify URL (a named endpoint has its format in the worker's config)");
    }
    Path userConfig = MarathonHome.fromEnvironment().config();
    Set<String> all = new LinkedHashSet<>(targets);
    all.addAll(listed(userConfig, false));
    if (repo != null) all.addAll(listed(repo.resolve(".marathon/config.json"), true));
    List<NotifyTarget> out = new ArrayList<>();
    for (String to : all) {
      NotifyTarget t = new NotifyTarget(to, new NotifyTarget(to, null).isUrl() ? format : null);
      String problem = t.problem() != null ? t.problem() : t.isUrl() ? NotifyEndpoints.urlProblem(t.to()) : null;
      if (problem != null) throw new BadInputException("--notify: " + problem);
      out.add(t);
    }
    return out;
  }

  /** What the user should know of {@code targets}, said once the whole run is known good (a refusal stays one line). */
  static void explain(List<NotifyTarget> targets, PrintWriter err) {
    Path userConfig = MarathonHome.fromEnvironment().config();
    Set<String> known = endpointNames(userConfig);
    for (NotifyTarget t : targets) {
      if (t.isUrl()) {
        err.println("[marathon] notifications to " + t.display() + " are posted by this command's own worker (not with --detach), or by a worker whose "
            + NotifyEndpoints.ENV + " lists it; the URL is kept in the run's history (a webhook URL is a secret: name it in notifyEndpoints instead)");
      } else if (!known.contains(t.to())) {
        err.println("warning: --notify " + t.to() + ": no endpoint of that name in " + userConfig + "; each worker looks it up in its own");
      }
    }
  }

  private static List<String> listed(Path config, boolean repository) {
    List<String> names = new ArrayList<>();
    JsonNode list = read(config).path("notify");
    if (list.isMissingNode()) return names;
    if (!list.isArray()) throw new BadInputException(config + ": \"notify\" is a list of endpoint names");
    for (JsonNode n : list) {
      String to = n.asText();
      if (repository && new NotifyTarget(to, null).isUrl()) {
        throw new BadInputException(config + ": a repository's \"notify\" may name endpoints only, not URLs (whoever commits to it"
            + " would choose where your runs' news goes); name it in ~/.marathon/config.json's notifyEndpoints");
      }
      names.add(to);
    }
    return names;
  }

  private static Set<String> endpointNames(Path config) {
    Set<String> names = new LinkedHashSet<>();
    read(config).path(NotifyEndpoints.CONFIG_KEY).fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static JsonNode read(Path config) {
    if (!Files.isRegularFile(config)) return Json.MAPPER.createObjectNode();
    try {
      return Json.MAPPER.readTree(config.toFile());
    } catch (IOException e) {
      throw new BadInputException(config + " is not valid JSON: " + e.getMessage());
    }
  }
}
