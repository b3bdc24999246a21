package dev.marathon.runtime;

import dev.marathon.activities.workspace.Git;
import dev.marathon.workflows.MarathonSearchAttributes;
import dev.marathon.workflows.Pause;
import dev.marathon.workflows.Progress;
import dev.marathon.workflows.RunReport;
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
   * One run; a coordinator's tokens and cost include its sub-agents' (those in the window).
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

  /**
   * The report of the window {@code since}..now, of runs on {@code repo} only when it is not null.
   * A branch's diffstat is computed only in {@code diffstatIn}, the repository the user named: the
   * repository a run names is a run input, and git is not run in a directory a stranger chose.
   */
  public static MorningReport gather(Runs runs, Instant since, String repo, Path diffstatIn) {
    Instant now = Instant.now();
    String query = "WorkflowType = 'AgentWorkflow' AND (StartTime >= '" + since + "' OR CloseTime >= '" + since
        + "' OR ExecutionStatus = 'Running')";
    if (repo != null) query += " AND " + MarathonSearchAttributes.REPO.getName() + " = " + Runs.quoted(repo);
    // A run that continued as new is several executions: the newest carries its numbers.
    Map<String, WorkflowExecutionMetadata> newest = new LinkedHashMap<>();
    Map<String, double[]> swarms = new LinkedHashMap<>(); // a coordinator's sub-agents' {cost, tokens}
    for (WorkflowExecutionMetadata m : runs.client().listExecutions(query).toList()) {
      SearchAttributes sa = m.getTypedSearchAttributes();
      String coordinator = sa.get(MarathonSearchAttributes.COORDINATOR);
      if (coordinator != null) { // a sub-agent: its spending is in its coordinator's row
        double[] sum = swarms.computeIfAbsent(coordinator, c -> new double[2]);
        sum[0] += sa.get(MarathonSearchAttributes.COST) == null ? 0 : sa.get(MarathonSearchAttributes.COST);
        sum[1] += orZero(sa.get(MarathonSearchAttributes.TOKENS));
        continue;
      }
      String id = m.getExecution().getWorkflowId();
      WorkflowExecutionMetadata known = newest.get(id);
      if (known == null || m.getStartTime().isAfter(known.getStartTime())) newest.put(id, m);
    }
    List<Entry> entries = new ArrayList<>();
    RunInspector inspector = new RunInspector(runs);
    for (WorkflowExecutionMetadata m : newest.values()) {
      String id = m.getExecution().getWorkflowId();
      Entry e;
      try {
        e = entry(runs, inspector, m, firstStart(runs, id, m.getStartTime()), swarms.getOrDefault(id, new double[2]), diffstatIn);
      } catch (RuntimeException unreadable) { // one run the report cannot read does not hide the others
        e = new Entry(id, id, "unreadable", null, null, "marathon/" + id, m.getStartTime(), m.getCloseTime(), 0, 0, 0, 0, null,
            null, null, null, "./marathon status " + id + " (the report could not read it: " + unreadable.getMessage() + ")");
      }
      entries.add(e);
    }
    entries.sort((a, b) -> a.started().compareTo(b.started()));
    return new MorningReport(since, now, entries);
  }

  /** When the run began: the start of its first execution, which may be before the window (a chain continued as new). */
  private static Instant firstStart(Runs runs, String id, Instant newest) {
    Instant first = newest;
    for (WorkflowExecutionMetadata m : runs.client().listExecutions("WorkflowId = " + Runs.quoted(id)).toList()) {
      if (m.getStartTime().isBefore(first)) first = m.getStartTime();
    }
    return first;
  }

  private static Entry entry(Runs runs, RunInspector inspector, WorkflowExecutionMetadata m, Instant started, double[] swarm,
      Path diffstatIn) {
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
      outcome = report.outcome() == null ? null : report.outcome().name().toLowerCase(java.util.Locale.ROOT);
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
        orZero(sa.get(MarathonSearchAttributes.TOKENS)) + (long) swarm[1], (cost == null ? 0 : cost) + swarm[0], outcome, summary,
        pausedBecause, diffstatIn != null && diffstatIn.toString().equals(repo) ? diffstat(diffstatIn, branch) : null, next);
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

  /** {@code git diff --shortstat} of the branch against where it forked from HEAD, in the user's repository; else null. */
  static String diffstat(Path repo, String branch) {
    if (!Files.isDirectory(repo)) return null;
    try {
      Git.Result r = Git.git(repo, "diff", "--no-ext-diff", "--no-textconv", "--shortstat", "HEAD..." + branch, "--");
      return r.ok() && !r.out().isBlank() ? r.out().strip() : r.ok() ? "no changes" : null;
    } catch (RuntimeException unreadable) {
      return null;
    }
  }

  private static long orZero(Long v) {
    return v == null ? 0 : v;
  }
}
