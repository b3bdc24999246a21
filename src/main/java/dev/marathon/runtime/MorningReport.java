package dev.marathon.runtime;

import dev.marathon.activities.workspace.Git;
import dev.marathon.workflows.MarathonSearchAttributes;
import dev.marathon.workflows.Pause;
import dev.marathon.workflows.Progress;
import dev.marathon.workflows.RunReport;
import dev.marathon.workflows.api.WorkspaceKey;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.common.SearchAttributes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The night in one read: every run (not sub-agents) that started or ended in a window, or is still
 * going, with what it did, what it cost, where its work is, and what to do next. Read from the
 * server's visibility store (one query) and, per run, its result or a quick query; the branch's
 * diffstat from the repository when it is on this machine.
 */
public record MorningReport(Instant since, Instant until, List<Entry> runs) {

  /**
   * One run.
   *
   * @param ended null while it runs
   * @param pausedBecause why a paused run waits, with what resumes it; null otherwise
   * @param diffstat the branch against where it started ({@code git diff --shortstat}), or null
   * @param next what to do next, as a command
   */
  public record Entry(String id, String title, String status, String phase, String repo, String branch, Instant started, Instant ended,
      long turns, long toolCalls, long tokens, double costUsd, String outcome, String summary, String pausedBecause, String diffstat,
      String next) {

    public Duration duration(Instant now) {
      return Duration.between(started, ended == null ? now : ended);
    }
  }

  /** The report of the window {@code since}..now, of runs on {@code repo} only when it is not null. */
  public static MorningReport gather(Runs runs, Instant since, String repo) {
    Instant now = Instant.now();
    String query = "WorkflowType = 'AgentWorkflow' AND (StartTime >= '" + since + "' OR CloseTime >= '" + since
        + "' OR ExecutionStatus = 'Running')";
    if (repo != null) query += " AND " + MarathonSearchAttributes.REPO.getName() + " = '" + repo.replace("'", "\\'") + "'";
    // A run that continued as new is several executions: the newest carries its numbers, the oldest its start.
    Map<String, WorkflowExecutionMetadata> newest = new LinkedHashMap<>();
    Map<String, Instant> firstStart = new LinkedHashMap<>();
    for (WorkflowExecutionMetadata m : runs.client().listExecutions(query).toList()) {
      if (m.getTypedSearchAttributes().get(MarathonSearchAttributes.COORDINATOR) != null) continue; // a sub-agent: in its coordinator's row
      String id = m.getExecution().getWorkflowId();
      WorkflowExecutionMetadata known = newest.get(id);
      if (known == null || m.getStartTime().isAfter(known.getStartTime())) newest.put(id, m);
      firstStart.merge(id, m.getStartTime(), (a, b) -> a.isBefore(b) ? a : b);
    }
    List<Entry> entries = new ArrayList<>();
    RunInspector inspector = new RunInspector(runs);
    for (WorkflowExecutionMetadata m : newest.values()) entries.add(entry(runs, inspector, m, firstStart.get(m.getExecution().getWorkflowId())));
    entries.sort((a, b) -> a.started().compareTo(b.started()));
    return new MorningReport(since, now, entries);
  }

  private static Entry entry(Runs runs, RunInspector inspector, WorkflowExecutionMetadata m, Instant started) {
    String id = m.getExecution().getWorkflowId();
    SearchAttributes sa = m.getTypedSearchAttributes();
    String status = Runs.statusName(m.getStatus());
    String phase = sa.get(MarathonSearchAttributes.PHASE);
    String repo = sa.get(MarathonSearchAttributes.REPO);
    Object title = m.getMemo(MarathonSearchAttributes.TITLE_MEMO, String.class);
    Double cost = sa.get(MarathonSearchAttributes.COST);
    String outcome = null;
    String summary = null;
    String pausedBecause = null;
    String branch = "marathon/" + id;
    if (m.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
      RunReport report = runs.result(id);
      outcome = report.outcome().name().toLowerCase(java.util.Locale.ROOT);
      summary = report.summary();
      if (report.progress() != null && report.progress().branch() != null) branch = report.progress().branch();
    } else if (m.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING && "paused".equals(phase)) {
      Progress p = inspector.now(id).progress();
      Pause pause = p == null ? null : p.pause();
      pausedBecause = (pause == null ? "paused (no worker answered to say why: ./marathon status " + id + ")" : pause.reason());
    }
    String next = next(id, m.getStatus(), phase, outcome);
    return new Entry(id, title == null ? id : title.toString(), status, phase, repo, branch, started,
        m.getCloseTime(), orZero(sa.get(MarathonSearchAttributes.TURNS)), orZero(sa.get(MarathonSearchAttributes.TOOL_CALLS)),
        orZero(sa.get(MarathonSearchAttributes.TOKENS)), cost == null ? 0 : cost, outcome, summary, pausedBecause, diffstat(repo, branch), next);
  }

  /** What to do about a run, as the command that does it. */
  static String next(String id, WorkflowExecutionStatus status, String phase, String outcome) {
    if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
      return "paused".equals(phase) ? "./marathon status " + id + ", then ./marathon budget " + id + " ... or ./marathon unpause " + id
          : "nothing: it is still at work (./marathon watch " + id + ")";
    }
    if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
      return "finished".equals(outcome) ? "review: ./marathon diff " + id + " (or git log marathon/" + id + ")"
          : "read why: ./marathon log " + id + "; go on: ./marathon resume " + id;
    }
    return "read why: ./marathon status " + id + "; go on: ./marathon resume " + id;
  }

  /** {@code git diff --shortstat} of the branch against where it forked from HEAD, in a repository on this machine; else null. */
  static String diffstat(String repo, String branch) {
    if (repo == null || WorkspaceKey.isUrl(repo) || !Files.isDirectory(Path.of(repo))) return null;
    try {
      Git.Result r = Git.git(Path.of(repo), "diff", "--no-ext-diff", "--no-textconv", "--shortstat", "HEAD..." + branch, "--");
      return r.ok() && !r.out().isBlank() ? r.out().strip() : r.ok() ? "no changes" : null;
    } catch (RuntimeException unreadable) {
      return null;
    }
  }

  private static long orZero(Long v) {
    return v == null ? 0 : v;
  }
}
