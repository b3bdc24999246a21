package dev.marathon.cli;

import dev.marathon.runtime.MorningReport;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The morning report as one self-contained HTML page (no script, no external file): a timeline of
 * the runs — when each ran, until now or its end, coloured by how it ended — with its cost beside
 * it, then a table of the runs with links to the Web UI. Everything a run wrote (titles,
 * summaries, reasons) is escaped.
 */
final class ReportPage {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MM-dd HH:mm").withZone(ZoneOffset.UTC);
  private static final int WIDTH = 900;
  private static final int ROW = 26;
  private static final int LABEL = 260;

  static String html(MorningReport report, String uiBase, String namespace) {
    StringBuilder h = new StringBuilder();
    h.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Marathon: the night's runs</title><style>")
        .append("body{font:14px system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}table{border-collapse:collapse;margin-top:16px}")
        .append("td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}.n{text-align:right}")
        .append(".finished{fill:#2e8b57}.paused{fill:#e0a000}.running{fill:#3b82f6}.failed{fill:#d9534f}.other{fill:#888}")
        .append("</style></head><body>");
    double cost = report.runs().stream().mapToDouble(MorningReport.Entry::costUsd).sum();
    h.append("<h1>Marathon: ").append(report.runs().size()).append(" runs from ").append(TIME.format(report.since())).append(" to ")
        .append(TIME.format(report.until())).append(" UTC, ").append(String.format(Locale.ROOT, "$%.2f", cost)).append("</h1>");
    h.append(timeline(report));
    h.append("<table><tr><th>run</th><th>outcome</th><th>took</th><th class=n>turns</th><th class=n>calls</th><th class=n>tokens</th>")
        .append("<th class=n>cost</th><th>branch</th><th>what next</th></tr>");
    for (MorningReport.Entry e : report.runs()) {
      h.append("<tr><td><a href=\"").append(esc(Ui.runUrl(uiBase, namespace, e.id()))).append("\">").append(esc(e.id())).append("</a><br>")
          .append(esc(e.title())).append(e.summary() == null ? "" : "<br><i>" + esc(e.summary()) + "</i>").append("</td><td>")
          .append(esc(ReportCommand.outcome(e))).append(e.pausedBecause() == null ? "" : "<br>" + esc(e.pausedBecause())).append("</td><td>")
          .append(esc(ReportCommand.took(e.duration(report.until())))).append("</td><td class=n>").append(e.turns()).append("</td><td class=n>")
          .append(e.toolCalls()).append("</td><td class=n>").append(String.format(Locale.ROOT, "%,d", e.tokens())).append("</td><td class=n>")
          .append(String.format(Locale.ROOT, "$%.2f", e.costUsd())).append("</td><td>").append(esc(e.branch()))
          .append(e.diffstat() == null ? "" : "<br>" + esc(e.diffstat())).append("</td><td><code>").append(esc(e.next())).append("</code></td></tr>");
    }
    return h.append("</table></body></html>\n").toString();
  }

  /** An SVG bar per run over the window, and its cost. */
  private static String timeline(MorningReport report) {
    Instant from = report.runs().stream().map(MorningReport.Entry::started).filter(s -> s.isBefore(report.since())).min(Instant::compareTo)
        .orElse(report.since());
    double span = Math.max(1, Duration.between(from, report.until()).toMillis());
    double maxCost = Math.max(0.01, report.runs().stream().mapToDouble(MorningReport.Entry::costUsd).max().orElse(0));
    int height = ROW * report.runs().size() + 30;
    StringBuilder s = new StringBuilder("<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" + (LABEL + WIDTH + 140)
        + "\" height=\"" + height + "\" role=\"img\" aria-label=\"when each run ran\">");
    s.append("<text x=\"").append(LABEL).append("\" y=\"14\" font-size=\"12\">").append(TIME.format(from)).append(" UTC</text>")
        .append("<text x=\"").append(LABEL + WIDTH).append("\" y=\"14\" font-size=\"12\" text-anchor=\"end\">").append(TIME.format(report.until()))
        .append(" UTC</text><text x=\"").append(LABEL + WIDTH + 10).append("\" y=\"14\" font-size=\"12\">cost</text>");
    int y = 24;
    for (MorningReport.Entry e : report.runs()) {
      double x0 = LABEL + WIDTH * Duration.between(from, e.started()).toMillis() / span;
      double x1 = LABEL + WIDTH * Duration.between(from, e.ended() == null ? report.until() : e.ended()).toMillis() / span;
      s.append("<text x=\"0\" y=\"").append(y + 14).append("\" font-size=\"12\">").append(esc(shorten(e.id(), 36))).append("</text>")
          .append(String.format(Locale.ROOT, "<rect class=\"%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"18\"><title>%s</title></rect>",
              colour(e), x0, y, Math.max(3, x1 - x0), esc(e.id() + ": " + ReportCommand.outcome(e))))
          .append(String.format(Locale.ROOT, "<rect class=\"other\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"18\"></rect>",
              LABEL + WIDTH + 10, y, 80 * e.costUsd() / maxCost))
          .append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\">$%.2f</text>", LABEL + WIDTH + 95, y + 14, e.costUsd()));
      y += ROW;
    }
    return s.append("</svg>").toString();
  }

  private static String colour(MorningReport.Entry e) {
    if ("paused".equals(e.phase()) && e.ended() == null) return "paused";
    if (e.ended() == null) return "running";
    if ("finished".equals(e.outcome())) return "finished";
    return "completed".equals(e.status()) ? "other" : "failed";
  }

  private static String shorten(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }

  static String esc(String s) {
    if (s == null) return "";
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
  }

  private ReportPage() {}
}
