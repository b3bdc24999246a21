package dev.marathon.activities.workspace;

import dev.marathon.activities.store.CheckpointStore;
import dev.marathon.workflows.api.WorkspaceKey;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where a run's work comes from and where it goes back to. For a path, the user's repository on
 * this machine: the run's repositories borrow its objects, and the finished branch is fetched into
 * it. For a git URL, a bare clone of it that Marathon keeps on this machine ({@code
 * <workspaces>/.origins/}, one per URL, shared by the runs that name it, refreshed by fetch): the
 * run's repositories borrow its objects the same way, and the finished branch is pushed to the URL.
 * A URL is what lets a run move: any worker can clone it.
 *
 * <p>Only {@link Git#remote} talks to a URL, with the worker's own git credentials; nothing of them
 * reaches a command of the run or the checkpoint store.
 */
final class Origin {
  /** One lock per clone in this process; a file lock beside it for other processes. */
  private static final Map<Path, ReentrantLock> CLONING = new ConcurrentHashMap<>();

  private final WorkspaceKey key;
  /** The bare clone of a URL; null for a path. */
  private final Path clone;

  Origin(Path workspacesDir, WorkspaceKey key) {
    this.key = key;
    this.clone = WorkspaceKey.isUrl(key.repo())
        ? workspacesDir.resolve(".origins").resolve(CheckpointStore.hash(key.repo().getBytes(StandardCharsets.UTF_8)).substring(0, 24) + ".git")
        : null;
  }

  boolean isUrl() {
    return clone != null;
  }

  /**
   * The repository on this machine that holds the origin's commits: the user's, or the clone of the
   * URL (made now if this machine has none yet). A vanished repository or an unreachable URL is for
   * an operator to fix, not for retries.
   */
  Path local(Runnable heartbeat) {
    if (clone == null) {
      Path repo = Path.of(key.repo());
      if (!Files.isDirectory(repo)) throw new WorkspaceException("repository " + repo + " does not exist", true);
      return repo;
    }
    if (!Files.exists(clone.resolve("HEAD"))) locked(heartbeat, () -> {
      if (Files.exists(clone.resolve("HEAD"))) return;
      Path tmp = clone.resolveSibling(clone.getFileName() + ".tmp");
      Workspace.deleteTree(tmp);
      Git.Result cloned = Git.remote(clone.getParent(), Map.of(), heartbeat, "clone", "-q", "--bare", "--no-tags", "--", key.repo(), tmp.toString());
      if (!cloned.ok()) throw new WorkspaceException("cannot clone " + key.repo() + ": " + withoutCredentials(cloned.err()), true);
      try {
        Files.move(tmp, clone, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new WorkspaceException("cannot put the clone of " + key.repo() + " in place: " + e.getMessage(), false);
      }
    });
    return clone;
  }

  /** Makes sure the local repository has {@code commit}: for a URL, fetches the origin's branches once when it does not. */
  void ensure(String commit, Runnable heartbeat) {
    Path local = local(heartbeat);
    if (has(local, commit) || clone == null) return;
    fetch(heartbeat);
    if (!has(local, commit)) throw new WorkspaceException("commit " + commit + " is not in " + key.repo() + " (was a branch force-pushed?)", true);
  }

  /** The origin's newest commit on its default branch: where a new run starts. */
  String head(Runnable heartbeat) {
    Path local = local(heartbeat);
    if (clone != null) fetch(heartbeat);
    Git.Result head = Git.git(local, "rev-parse", "--verify", "-q", "HEAD^{commit}");
    if (!head.ok()) throw new WorkspaceException("repository " + key.repo() + " has no commit yet; commit something first", true);
    return head.out().strip();
  }

  /**
   * Puts {@code ref} of Marathon's snapshot repository {@code snapshots} on {@code branch} of the
   * origin: a fetch by the user's repository from Marathon's alone (no other protocol, hooks off),
   * or a push to the URL. Nothing of the origin's is changed but that one branch.
   */
  void putBranch(Path snapshots, String ref, String branch, Runnable heartbeat) {
    Git.Result r;
    if (clone == null) {
      r = Git.call(local(heartbeat), Map.of(), heartbeat,
          "-c", "protocol.allow=never", "-c", "protocol.file.allow=always", // only from Marathon's own repository
          "fetch", "-q", "--no-tags", "--no-write-fetch-head", snapshots.toString(), "+" + ref + ":refs/heads/" + branch);
    } else {
      r = Git.remote(snapshots, Map.of("GIT_DIR", snapshots.toString()), heartbeat,
          "push", "-q", "--no-verify", "--", key.repo(), "+" + ref + ":refs/heads/" + branch);
    }
    if (!r.ok()) {
      throw new WorkspaceException("cannot put branch " + branch + " in " + key.repo() + ": " + withoutCredentials(r.err())
          + " (the run's snapshots are kept in " + snapshots + ")", r.err().contains("checked out"));
    }
  }

  /** The origin's branches into the clone (a network blip is worth a retry). */
  private void fetch(Runnable heartbeat) {
    locked(heartbeat, () -> {
      Git.Result fetched = Git.remote(clone, Map.of("GIT_DIR", clone.toString()), heartbeat,
          "fetch", "-q", "--no-tags", "--", key.repo(), "+refs/heads/*:refs/heads/*");
      if (!fetched.ok()) throw new WorkspaceException("cannot fetch from " + key.repo() + ": " + withoutCredentials(fetched.err()), false);
    });
  }

  private static boolean has(Path repo, String commit) {
    return commit.matches("[0-9a-f]{40}") && Git.git(repo, "cat-file", "-e", commit + "^{commit}").ok();
  }

  /**
   * Runs {@code work} holding the clone's lock, in this process and across processes of this
   * machine; waiting for it heartbeats (another run's clone or fetch may take minutes).
   */
  private void locked(Runnable heartbeat, Runnable work) {
    ReentrantLock inProcess = CLONING.computeIfAbsent(clone, c -> new ReentrantLock());
    try {
      while (!inProcess.tryLock(200, TimeUnit.MILLISECONDS)) heartbeat.run();
      try {
        Files.createDirectories(clone.getParent());
        try (FileChannel channel = FileChannel.open(clone.resolveSibling(clone.getFileName() + ".lock"), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE)) {
          FileLock waited;
          while ((waited = channel.tryLock()) == null) {
            heartbeat.run();
            Thread.sleep(200);
          }
          try (FileLock lock = waited) {
            work.run();
          }
        }
      } finally {
        inProcess.unlock();
      }
    } catch (IOException e) {
      throw new WorkspaceException("cannot lock the clone of " + key.repo() + ": " + e.getMessage(), false);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WorkspaceException("interrupted while waiting for the clone of " + key.repo(), false);
    }
  }

  /** Git's message about a remote, without a credential a URL in it may carry (an insteadOf rewrite, a helper's). */
  static String withoutCredentials(String gitMessage) {
    return gitMessage.strip().replaceAll("(?i)([a-z][a-z0-9+.-]*://)[^/@\\s]+@", "$1***@");
  }
}
