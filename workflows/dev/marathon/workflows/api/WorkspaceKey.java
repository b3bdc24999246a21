package dev.marathon.workflows.api;

import java.util.regex.Pattern;

/**
 * Identifies a run's workspace: the run's own clone of {@code repo}, delivered on {@code branch}.
 * {@code repo} is a path on the worker's machine, or a git URL ({@code file://}, {@code ssh://},
 * {@code https://}) that any worker can clone, which lets the run move between machines. It comes
 * from a run's input, which whoever can reach the Temporal server can write: a worker acts on it
 * only after {@link #problem()} found nothing wrong.
 */
public record WorkspaceKey(String runId, String repo, String branch) {
  /** A directory name under the workspaces directory: no separator, no '..', no leading dot (sub-agents add ".aN"). */
  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");
  /** Marathon's branches: {@code marathon/<id>} and a swarm's {@code marathon-swarm/<id>/<agent>}. */
  private static final Pattern BRANCH = Pattern.compile("marathon(-swarm)?/[a-z0-9][a-z0-9._/-]{0,255}");
  /**
   * The URLs a run may name: file, ssh and https, a plain host, and no password (it would be kept
   * in the run's history); git's other transports ({@code ext::}, ...) run programs and are refused.
   */
  private static final Pattern URL = Pattern.compile("(file://|ssh://([A-Za-z0-9._-]+@)?[A-Za-z0-9.-]+(:[0-9]{1,5})?|https://([A-Za-z0-9._-]+@)?[A-Za-z0-9.-]+(:[0-9]{1,5})?)(/[A-Za-z0-9._~/+-]*)");

  /** Whether {@code repo} is a git URL rather than a path on the worker's machine. */
  public static boolean isUrl(String repo) {
    return repo != null && (repo.startsWith("file://") || repo.startsWith("ssh://") || repo.startsWith("https://"));
  }

  /** Null when {@code url} is a git URL a run may name, else why not. */
  public static String urlProblem(String url) {
    if (url.length() > 1024 || !URL.matcher(url).matches() || url.contains("/../") || url.endsWith("/..") || url.contains("/./")) {
      String shown = url.replaceAll("://[^/@]*@", "://***@"); // a password typed into the URL is not echoed
      return "repository URL '" + shown + "' must be file:///PATH, ssh://[USER@]HOST[:PORT]/PATH or https://HOST[:PORT]/PATH"
          + " (letters, digits and ._~/+- in the path; no password: the worker's own credentials are used)";
    }
    if (url.startsWith("file://") && pathProblem(url.substring("file://".length())) != null) {
      return "repository URL '" + url + "' must name an absolute, normalized path";
    }
    return null;
  }

  /** The directory a {@code file://} URL names, or null for any other repository. */
  public String localOrigin() {
    return repo != null && repo.startsWith("file://") ? repo.substring("file://".length()) : null;
  }

  private static String pathProblem(String repo) {
    if (repo == null || !repo.startsWith("/") || repo.indexOf('\0') >= 0 || repo.contains("//")
        || (repo + "/").contains("/./") || (repo + "/").contains("/../") || repo.length() > 1 && repo.endsWith("/")) {
      return "repository '" + repo + "' must be an absolute, normalized path or a git URL";
    }
    return null;
  }

  /** Null when {@code id} is safe as a directory name and a branch component, else why not. */
  public static String runIdProblem(String id) {
    if (id == null || !ID.matcher(id).matches() || id.contains("..") || id.endsWith(".") || id.endsWith(".lock")
        || id.endsWith(".marathon")) {
      // ".marathon" is the suffix of a run's own directory of Marathon's: an id ending in it would name another run's.
      return "run id '" + id + "' must be 1-128 characters of a-z, 0-9, '.', '_' or '-', start with a letter or digit,"
          + " contain no '..' and not end in '.marathon'";
    }
    return null;
  }

  /**
   * Null when a worker may act on this key: a safe id, an absolute normalized repository path, and
   * the run's own branch ({@code marathon/<id>}, or a sub-agent's {@code marathon-swarm/<parent>/<id>}):
   * a key naming another run's branch would overwrite what that run delivered.
   */
  public String problem() {
    String id = runIdProblem(runId);
    if (id != null) return id;
    String repoProblem = isUrl(repo) ? urlProblem(repo) : pathProblem(repo);
    if (repoProblem != null) return repoProblem;
    if (branch == null || !BRANCH.matcher(branch).matches() || branch.contains("..") || branch.contains("//")
        || branch.endsWith("/") || branch.endsWith(".") || branch.endsWith(".lock") || !ownsBranch()) {
      return "branch '" + branch + "' is not run " + runId + "'s (marathon/" + runId + ")";
    }
    return null;
  }

  private boolean ownsBranch() {
    if (branch.equals("marathon/" + runId)) return true;
    String prefix = "marathon-swarm/";
    if (!branch.startsWith(prefix) || !branch.endsWith("/" + runId)) return false;
    String parent = branch.substring(prefix.length(), branch.length() - runId.length() - 1);
    return !parent.isEmpty() && runId.startsWith(parent + ".a");
  }
}
