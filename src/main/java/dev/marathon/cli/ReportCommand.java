package dev.marathon.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.marathon.activities.Json;
import dev.marathon.runtime.Connection;
import dev.marathon.runtime.MorningReport;
import dev.marathon.runtime.Repositories;
import dev.marathon.runtime.Runs;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "report", mixinStandardHelpOptions = true,
    description = {"The night in one read: every run started or ended in the window (or still going), with its outcome, time,",
        "turns, calls, tokens, cost, branch and diffstat, why a paused one waits, and what to do next."})
final class ReportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--since", paramLabel = "DURATION|TIME", defaultValue = "12h",
      description = "The window: 90m, 12h, 2d (default 12h), or a time, 2026-12-03T18:00:00Z.")
  String since;

  @Option(names = "--repo", paramLabel = "DIR|URL",
      description = "Only the runs on this repository. Branches' diffstats are read in this one (else in the current directory's).")
  String repo;

  @Option(names = "--json", description = "Print JSON, for scripts.")
  boolean json;

  @Option(names = "--html", paramLabel = "FILE", description = "Also write a self-contained page with a timeline of the runs.")
  Path html;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() throws IOException {
    Instant from = start(since);
    String onRepo = repo == null ? null : repoFilter(repo);
    PrintWriter out = spec.commandLine().getOut();
    try (Connection conn = connection.open(false, spec.commandLine().getErr())) {
      MorningReport report = MorningReport.gather(new Runs(conn.client()), from, onRepo, yours(onRepo));
      if (json) {
        out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json(report)));
      } else {
        text(report, out);
      }
      if (html != null) {
        Files.writeString(html, ReportPage.html(report, conn.uiUrl(), conn.namespace()));
        spec.commandLine().getErr().println("[marathon] the report, with a timeline: " + html.toAbsolutePath());
      }
      out.flush();
      return ExitCodes.OK;
    }
  }

  static void text(MorningReport report, PrintWriter out) {
    if (report.runs().isEmpty()) {
      out.println("no runs since " + report.since());
      return;
    }
    double cost = report.runs().stream().mapToDouble(MorningReport.Entry::costUsd).sum();
    out.printf(Locale.ROOT, "%d runs since %s, $%.2f%n", report.runs().size(), report.since(), cost);
    for (MorningReport.Entry e : report.runs()) {
      out.printf(Locale.ROOT, "%n%s  %s%n  %s, %s; %d turns, %d calls, %,d tokens, $%.2f%n", e.id(), e.title(), outcome(e),
          took(e.duration(report.until())), e.turns(), e.toolCalls(), e.tokens(), e.costUsd());
      if (e.summary() != null) out.println("  " + e.summary().strip().lines().findFirst().orElse(""));
      if (e.pausedBecause() != null) out.println("  waits: " + e.pausedBecause());
      out.println("  branch: " + e.branch() + (e.diffstat() == null ? "" : " (" + e.diffstat() + ")"));
      out.println("  next: " + e.next());
    }
  }

  static ObjectNode json(MorningReport report) {
    ObjectNode o = Json.MAPPER.createObjectNode().put("since", report.since().toString()).put("until", report.until().toString());
    ArrayNode runs = o.putArray("runs");
    for (MorningReport.Entry e : report.runs()) {
      runs.addObject().put("id", e.id()).put("title", e.title()).put("status", e.status()).put("phase", e.phase()).put("outcome", e.outcome())
          .put("repo", e.repo()).put("branch", e.branch()).put("started", e.started().toString())
          .put("ended", e.ended() == null ? null : e.ended().toString()).put("seconds", e.duration(report.until()).toSeconds())
          .put("turns", e.turns()).put("toolCalls", e.toolCalls()).put("tokens", e.tokens()).put("costUsd", e.costUsd())
          .put("summary", e.summary()).put("pausedBecause", e.pausedBecause()).put("diffstat", e.diffstat()).put("next", e.next());
    }
    return o;
  }

  /** How a run stands: its outcome when it ended, else its phase. */
  static String outcome(MorningReport.Entry e) {
    if (e.outcome() != null) return e.outcome();
    if (e.ended() == null) return e.phase() == null ? "running" : e.phase();
    return e.status();
  }

  static String took(Duration d) {
    long m = d.toMinutes();
    return m >= 60 ? String.format(Locale.ROOT, "%dh%02dm", m / 60, m % 60) : m >= 1 ? m + "m" : d.toSeconds() + "s";
  }

  /**
   * The repository the user named (or stands in): the only one the report runs git in, for
   * diffstats. A run's own repository is a run input, and git is not run where a stranger says.
   */
  private static Path yours(String onRepo) {
    if (onRepo != null) return dev.marathon.workflows.api.WorkspaceKey.isUrl(onRepo) ? null : Path.of(onRepo);
    try {
      return Repositories.topLevel(Path.of("").toAbsolutePath());
    } catch (Repositories.Problem notInOne) {
      return null;
    }
  }

  /** The window's start: a time ({@code 2026-12-03T18:00:00Z}), or now less a duration. */
  static Instant start(String text) {
    if (text != null && text.contains("T")) {
      try {
        return Instant.parse(text.strip());
      } catch (java.time.format.DateTimeParseException e) {
        throw new BadInputException("--since takes a duration like 12h or a time like 2026-12-03T18:00:00Z, got '" + text + "'");
      }
    }
    return Instant.now().minus(window(text));
  }

  /** {@code 90m}, {@code 12h}, {@code 2d}. */
  static Duration window(String text) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("([1-9][0-9]{0,5})([smhd])").matcher(text == null ? "" : text.strip());
    if (!m.matches()) throw new BadInputException("--since takes a duration like 90m, 12h or 2d, or a time like 2026-12-03T18:00:00Z, got '" + text + "'");
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  private static String repoFilter(String repo) {
    if (repo.isBlank()) throw new BadInputException("--repo is empty");
    if (dev.marathon.workflows.api.WorkspaceKey.isUrl(repo)) return repo;
    try {
      return Repositories.topLevel(Path.of(repo).toAbsolutePath().normalize()).toString();
    } catch (Repositories.Problem gone) {
      return Path.of(repo).toAbsolutePath().normalize().toString(); // its runs are still listed by the path given
    }
  }
}
