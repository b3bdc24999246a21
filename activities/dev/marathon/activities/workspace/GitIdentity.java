package dev.marathon.activities.workspace;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Who commits: the user's name and email as their repository (or their global git config) says,
 * for the run's final commit and for the commits the agent makes in its sandbox; Marathon's own
 * when none is set. Reading config runs nothing.
 */
public final class GitIdentity {

  /** {@code GIT_AUTHOR_*} and {@code GIT_COMMITTER_*} variables for commits on behalf of the user of {@code repo}. */
  public static Map<String, String> of(Path repo) {
    String name = get(repo, "user.name");
    String email = get(repo, "user.email");
    if (name == null || email == null) return Git.IDENTITY;
    Map<String, String> env = new HashMap<>();
    env.put("GIT_AUTHOR_NAME", name);
    env.put("GIT_AUTHOR_EMAIL", email);
    env.put("GIT_COMMITTER_NAME", name);
    env.put("GIT_COMMITTER_EMAIL", email);
    return env;
  }

  private static String get(Path repo, String key) {
    Map<String, String> env = Map.of("GIT_CONFIG_GLOBAL", Path.of(System.getProperty("user.home"), ".gitconfig").toString());
    Git.Result r = Git.call(repo, env, null, "config", "--get", key);
    return r.ok() && !r.out().isBlank() ? r.out().strip() : null;
  }

  private GitIdentity() {}
}
