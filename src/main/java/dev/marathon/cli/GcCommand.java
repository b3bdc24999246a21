package dev.marathon.cli;

import dev.marathon.activities.FileTrees;
import dev.marathon.runtime.Connection;
import dev.marathon.runtime.MarathonHome;
import dev.marathon.runtime.Runs;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowNotFoundException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "gc", mixinStandardHelpOptions = true, description = {"Remove what ended runs left behind.",
    "Keeps running and paused runs, and runs that ended within --keep-days: their snapshots serve diff,",
    "fork and rewind. Removes the others' checkouts, snapshot repositories and command homes (their",
    "branches stay in your repository)."})
final class GcCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--keep-days", paramLabel = "N", defaultValue = "7", description = "Keep runs that ended this recently (default: ${DEFAULT-VALUE}).")
  double keepDays;

  @Option(names = "--dry-run", description = "Say what would be removed, remove nothing.")
  boolean dryRun;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() throws Exception {
    OptionChecks.atLeast("--keep-days", keepDays, 0);
    PrintWriter out = spec.commandLine().getOut();
    Path dir = MarathonHome.fromEnvironment().workspaces();
    if (!Files.isDirectory(dir)) {
      out.println("nothing to collect: " + dir + " does not exist");
      return ExitCodes.OK;
    }
    Instant cutoff = Instant.now().minus(Duration.ofMinutes((long) (keepDays * 24 * 60)));
    long freed = 0;
    int removed = 0;
    int kept = 0;
    try (Connection conn = connection.open(false, spec.commandLine().getErr()); Stream<Path> entries = Files.list(dir)) {
      Runs runs = new Runs(conn.client());
      for (Path meta : entries.filter(p -> p.getFileName().toString().endsWith(".marathon")).sorted().toList()) {
        String runId = meta.getFileName().toString().replaceFirst("\\.marathon$", "");
        String why = whyRemove(runs, runId, meta, cutoff);
        if (why == null) {
          kept++;
          continue;
        }
        Path checkout = dir.resolve(runId);
        long bytes = size(meta) + size(checkout);
        out.printf(Locale.ROOT, "%s %s (%s, %.1f MB)%n", dryRun ? "would remove" : "removed", runId, why, bytes / 1e6);
        if (!dryRun) {
          FileTrees.delete(checkout);
          FileTrees.delete(meta);
        }
        freed += bytes;
        removed++;
      }
    }
    out.printf(Locale.ROOT, "%s %d runs' workspaces (%.1f MB); kept %d%n", dryRun ? "would free" : "freed", removed, freed / 1e6, kept);
    return ExitCodes.OK;
  }

  /** Null to keep the run's workspace, else why it goes: asks the server, then {@link #whyRemove(WorkflowExecutionStatus, Instant, Instant, Instant)}. */
  static String whyRemove(Runs runs, String runId, Path meta, Instant cutoff) throws IOException {
    try {
      WorkflowExecutionDescription d = runs.describe(runId);
      Instant closed = Instant.ofEpochSecond(d.getWorkflowExecutionInfo().getCloseTime().getSeconds());
      return whyRemove(d.getStatus(), closed, cutoff, null);
    } catch (WorkflowNotFoundException e) {
      return whyRemove(null, null, cutoff, Files.getLastModifiedTime(meta).toInstant());
    }
  }

  /**
   * The keep rule. A running run (paused ones included) is kept; a closed one goes once it closed
   * before {@code cutoff}; one the server does not know ({@code status} null: its history was
   * deleted, or it ran against another server) goes once its workspace was last touched before it.
   *
   * @param closed when the run closed (read only for a closed run)
   * @param lastModified when its workspace's metadata was last changed (read only for an unknown run)
   * @return null to keep it, else why it goes
   */
  static String whyRemove(WorkflowExecutionStatus status, Instant closed, Instant cutoff, Instant lastModified) {
    if (status == null) return lastModified.isBefore(cutoff) ? "unknown to the server, untouched since " + lastModified : null;
    if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) return null;
    return closed.isBefore(cutoff) ? Runs.statusName(status) + " " + closed : null;
  }

  static long size(Path p) throws IOException {
    if (!Files.exists(p)) return 0;
    try (Stream<Path> walk = Files.walk(p)) {
      return walk.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }

}
