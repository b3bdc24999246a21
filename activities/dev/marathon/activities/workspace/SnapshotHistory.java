package dev.marathon.activities.workspace;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A run's snapshots read against each other and joined with other work: what changed between two
 * of them ({@link #diff}), and other runs' commits merged into the workspace ({@link #merge}, a
 * coordinator collecting its sub-agents). Everything is computed in Marathon's snapshot
 * repository, so no diff driver, merge driver or hook the agent configured runs. Neither writes
 * the user's repository.
 */
public final class SnapshotHistory {
  private final Workspace ws;
  private final Steps steps;
  private final Path meta;
  private final SnapshotRepository snapshots;

  /** One merge asked of {@link #merge}: a commit, and the merge commit's message. */
  public record Merge(String commit, String message) {}

  /**
   * @param snapshot the workspace after the merges
   * @param conflicts for each merge, in order, the paths left with conflict markers (empty: clean)
   */
  public record Merged(String snapshot, List<List<String>> conflicts) {}

  SnapshotHistory(Workspace ws, Steps steps) {
    this.ws = ws;
    this.steps = steps;
    this.meta = ws.meta();
    this.snapshots = steps.snapshots();
  }

  /**
   * What changed in the workspace between two of its snapshots, as a patch with a summary: files
   * written by any tool, bash included, committed or not. Read-only; no diff driver runs.
   */
  public String diff(String from, String to) {
    steps.have(from);
    steps.have(to);
    snapshots.describe(from);
    snapshots.describe(to);
    String[] args = {"diff", "--no-color", "--no-ext-diff", "--no-textconv", "--stat", "--patch", from, to};
    Git.Result r = Git.call(meta, snapshots.env(), null, args);
    if (!r.ok()) throw new WorkspaceException("git " + String.join(" ", args) + " failed in " + meta + ": " + r.err().strip(), false);
    return r.out(); // whole: a patch without its final newline is one git apply refuses
  }

  /**
   * Merges each commit into the workspace at {@code snapshot}, one merge commit each, on the
   * branch HEAD is on; uncommitted work is committed first. Merges are computed in Marathon's
   * snapshot repository ({@code git merge-tree}), so no merge driver or hook the agent configured
   * runs. A conflicted merge is committed with its markers in the files, which are listed. With
   * the same inputs and {@code date}, the same commits: a retried collect repeats nothing. It is a
   * step of the workspace: call it holding the run's lease ({@link Steps#lease}).
   */
  public Merged merge(String snapshot, List<Merge> merges, String date) {
    steps.bringTo(snapshot);
    Snapshot at = snapshots.describe(snapshot);
    Map<String, String> env = snapshots.commitEnv(ws.identity(), date);
    String tip = snapshots.commitTree(at, ws.identity(), date, "marathon: work in progress, committed before merging sub-agents");
    List<List<String>> conflicts = new ArrayList<>();
    for (Merge m : merges) {
      if (m.commit() == null || !m.commit().matches("[0-9a-f]{40}")) throw new WorkspaceException("not a commit id: " + m.commit(), true);
      ws.origin().ensure(m.commit(), steps.heartbeat()); // a sub-agent on another machine pushed it to the run's URL
      if (Git.call(meta, snapshots.env(), null, "merge-base", "--is-ancestor", m.commit(), tip).ok()) {
        conflicts.add(List.of()); // already in
        continue;
      }
      Git.Result r = Git.call(meta, snapshots.env(), steps.heartbeat(), "merge-tree", "--write-tree", "--name-only", "--no-messages", tip, m.commit());
      if (r.exit() != 0 && r.exit() != 1) {
        throw new WorkspaceException("cannot merge " + m.commit() + ": " + r.err().strip(), false);
      }
      String[] lines = r.out().split("\n");
      List<String> conflicted = new ArrayList<>();
      for (int i = 1; i < lines.length && !lines[i].isBlank(); i++) conflicted.add(lines[i].strip());
      String message = m.message() + (conflicted.isEmpty() ? "" : "\n\nConflicts, committed with their markers: " + String.join(", ", conflicted));
      tip = Git.sh(meta, env, steps.heartbeat(), "git commit-tree \"$1\" -p \"$2\" -p \"$3\" -m \"$4\"",
          lines[0].strip(), tip, m.commit(), message).strip();
      conflicts.add(conflicted);
    }
    if (!tip.equals(at.head())) {
      steps.changing();
      steps.checkout().restore(new Snapshot(Git.run(meta, snapshots.env(), "rev-parse", tip + "^{tree}"), tip, at.headRef()));
    }
    return new Merged(steps.snapshot(snapshot, "merge sub-agents"), conflicts);
  }
}
