package dev.marathon.activities.workspace;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Everything Marathon writes into the user's repository (or pushes to the run's git URL), and
 * nothing else does: the run's branch at the end of the run ({@link #commit}), a snapshot kept on
 * a branch of its own ({@link #keep}), the run's branch moved back to a snapshot ({@link
 * #moveBranchTo}). Each puts a commit made in Marathon's snapshot repository on one branch of the
 * origin ({@link Origin#putBranch}): the agent's repository is never fetched from, and nothing of
 * the user's is changed but the one branch named.
 *
 * <p>Each method here must be called by an activity holding the run's lease ({@link Steps#lease}),
 * so that no step of the run moves the workspace while its work is being written out.
 */
public final class Publishing {
  private static final String FINAL_REF = "refs/marathon/final";

  private final Workspace ws;
  private final Steps steps;
  private final Path meta;
  private final SnapshotRepository snapshots;

  Publishing(Workspace ws, Steps steps) {
    this.ws = ws;
    this.steps = steps;
    this.meta = ws.meta();
    this.snapshots = steps.snapshots();
  }

  /**
   * Ends the run's use of the workspace: commits what the agent left uncommitted at {@code
   * snapshot} on top of its HEAD, fetches that commit into the user's repository as the run's
   * branch (Marathon alone writes there, with hooks off), and removes the checkout (snapshots and
   * the branch stay). Idempotent: a retry finds the commit the first attempt made.
   *
   * <p>Writes the user's repository: must be called by an activity holding the run's lease
   * ({@link Steps#lease}).
   */
  public String commit(String snapshot, String message, Map<String, String> identity) {
    snapshots.ensure();
    steps.have(snapshot);
    Snapshot at = snapshots.describe(snapshot);
    Path finalFile = meta.resolve("final");
    String head = Files.exists(finalFile) ? Workspace.read(finalFile) : null;
    if (head == null || !head.startsWith(snapshot + " ")) {
      String headTree = Git.run(meta, snapshots.env(), "rev-parse", at.head() + "^{tree}");
      Map<String, String> env = new java.util.HashMap<>(identity);
      env.putAll(snapshots.env());
      String commit = headTree.equals(at.tree()) ? at.head()
          : Git.sh(meta, env, steps.heartbeat(), "git commit-tree \"$1\" -p \"$2\" -m \"$3\"", at.tree(), at.head(), message).strip();
      head = snapshot + " " + commit;
      Workspace.write(finalFile, head);
    }
    String commit = head.substring(head.indexOf(' ') + 1);
    Git.run(meta, snapshots.env(), "update-ref", FINAL_REF, commit);
    ws.origin().putBranch(snapshots.dir(), FINAL_REF, ws.key().branch(), steps.heartbeat());
    steps.removeCheckout();
    return commit;
  }

  /**
   * Puts the workspace at {@code snapshot}, committed, on branch {@code branch} of the user's
   * repository (Marathon's branches only): what a rewind keeps of the work it goes back over.
   * Returns the commit.
   *
   * <p>Writes the user's repository: must be called by an activity holding the run's lease
   * ({@link Steps#lease}). ({@code marathon rewind} calls it from the CLI without the lease, on a
   * run it has found paused or ended.)
   */
  public String keep(String snapshot, String branch, String message) {
    steps.have(snapshot);
    Snapshot at = snapshots.describe(snapshot);
    String commit = snapshots.commitTree(at, ws.identity(), "@" + (System.currentTimeMillis() / 1000) + " +0000", message);
    putBranch(commit, branch);
    return commit;
  }

  /**
   * Moves the run's branch in the user's repository to the commit HEAD was at in {@code snapshot}.
   *
   * <p>Writes the user's repository: must be called by an activity holding the run's lease
   * ({@link Steps#lease}). ({@code marathon rewind} calls it from the CLI without the lease, on a
   * run it has found ended.)
   */
  public String moveBranchTo(String snapshot) {
    steps.have(snapshot);
    String head = snapshots.describe(snapshot).head();
    putBranch(head, ws.key().branch());
    return head;
  }

  private void putBranch(String commit, String branch) {
    Git.run(meta, snapshots.env(), "update-ref", "refs/marathon/put", commit);
    ws.origin().putBranch(snapshots.dir(), "refs/marathon/put", branch, steps.heartbeat());
  }
}
