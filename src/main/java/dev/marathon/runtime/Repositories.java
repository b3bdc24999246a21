package dev.marathon.runtime;

import dev.marathon.activities.workspace.Git;
import dev.marathon.activities.workspace.WorkspaceException;
import dev.marathon.workflows.api.WorkspaceKey;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks a user's repository before a run starts, so bad input fails fast with a clear message. */
public final class Repositories {

  /** A problem with the repository, for the user (exit code 2). */
  public static final class Problem extends Exception {
    public Problem(String message) {
      super(message);
    }
  }

  /** The repository's top-level directory, after checking it is a git repository with a commit. */
  public static Path topLevel(Path repo) throws Problem {
    if (!Files.exists(repo)) throw new Problem("repository " + repo + " does not exist");
    if (!Files.isDirectory(repo)) throw new Problem(repo + " is not a directory");
    String[] top = git(repo, "rev-parse", "--show-toplevel");
    if (top == null) throw new Problem(repo + " is not a git repository (git init, then commit something)");
    if (git(repo, "rev-parse", "--verify", "-q", "HEAD^{commit}") == null) {
      throw new Problem("repository " + repo + " has no commit yet; Marathon branches from HEAD, so commit something first");
    }
    return Path.of(top[0]);
  }

  /**
   * {@code url}, after checking it is a URL a run may name and that this machine reaches it (with
   * the user's own git credentials) and finds a commit there. Workers must reach it too.
   */
  public static String reachable(String url) throws Problem {
    String problem = WorkspaceKey.urlProblem(url);
    if (problem != null) throw new Problem(problem);
    Git.Result r = Git.remote(Path.of("/"), "ls-remote", "--", url, "HEAD");
    if (!r.ok()) throw new Problem("cannot reach " + url + ": " + r.err().strip());
    if (r.out().isBlank()) throw new Problem("repository " + url + " has no commit yet; Marathon branches from its HEAD, so push something first");
    return url;
  }

  /** Whether {@code repo} (a directory or a URL) has {@code branch}. */
  public static boolean branchExists(String repo, String branch) {
    if (WorkspaceKey.isUrl(repo)) {
      Git.Result r = Git.remote(Path.of("/"), "ls-remote", "--", repo, "refs/heads/" + branch);
      return r.ok() && !r.out().isBlank();
    }
    return branchExists(Path.of(repo), branch);
  }

  public static boolean branchExists(Path repo, String branch) {
    return git(repo, "rev-parse", "--verify", "-q", "refs/heads/" + branch) != null;
  }

  /** Runs git; returns stdout lines, or null when it failed (git missing included). */
  static String[] git(Path dir, String... args) {
    try {
      Git.Result r = Git.git(dir, args);
      return r.ok() ? r.out().strip().split("\n") : null;
    } catch (WorkspaceException gitMissing) {
      return null;
    }
  }

  private Repositories() {}
}
