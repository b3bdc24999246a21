package dev.marathon.activities.sandbox;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The environment of the agent's commands: built from an allow-list, never inherited. Whatever
 * else the worker's environment holds (the model key under any name, tokens, passwords) does not
 * reach a command.
 */
public final class CommandEnvironment {
  /** Variables a command gets from the worker's environment when they are set. */
  static final List<String> ALLOWED = List.of(
      "PATH", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "TZ", "USER", "LOGNAME", "SHELL",
      "JAVA_HOME", "MAVEN_HOME", "GRADLE_HOME", "GOROOT", "GOPATH", "GOPROXY", "GOFLAGS", "CARGO_HOME", "RUSTUP_HOME",
      "PYENV_ROOT", "VIRTUAL_ENV", "NVM_DIR", "NODE_PATH",
      "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY",
      "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS");
  /**
   * Names that may hold secrets, the word anywhere in the name ({@code OPENAI_KEY_PROD}, {@code
   * GH_PAT}, {@code DATABASE_URL}), and Marathon's and PostgreSQL's own settings ({@code
   * MARATHON_STORE} names the shared store, {@code PG*} reach a database); {@code --pass-env} cannot
   * pass them, whoever started the run.
   */
  static final Pattern SECRET_NAME = Pattern.compile(
      "(?i).*(KEY|TOKEN|SECRET|PASSW|CREDENTIAL|PRIVATE|AUTH|COOKIE|SESSION|DSN|DATABASE_URL|_PAT$|_PAT_|^PAT_).*|MARATHON_.*|PG[A-Z]*|TEMPORAL_.*");

  /**
   * @param worker the worker's environment
   * @param passEnv more variables to pass ({@code --pass-env}); secret-looking names are refused
   * @param neverPass variables known to hold secrets (the run's key variable), refused whatever their name
   * @param home the command's private home directory
   * @param set variables Marathon sets (the workspace marker, the git identity)
   */
  public static Map<String, String> of(Map<String, String> worker, List<String> passEnv, Set<String> neverPass,
      String home, Map<String, String> set) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String name : ALLOWED) if (worker.containsKey(name)) env.put(name, worker.get(name));
    for (String name : passEnv) {
      if (worker.containsKey(name) && !SECRET_NAME.matcher(name).matches() && !neverPass.contains(name)) env.put(name, worker.get(name));
    }
    env.putIfAbsent("PATH", "/usr/local/bin:/usr/bin:/bin");
    env.put("HOME", home);
    env.put("TMPDIR", "/tmp");
    env.put("TERM", "dumb");
    env.put("PAGER", "cat");
    env.put("GIT_PAGER", "cat");
    env.put("GIT_TERMINAL_PROMPT", "0");
    env.putAll(set);
    return env;
  }

  /**
   * Null when an MCP server's {@code env} may set {@code name}, else why not: never a name {@link
   * #passable} refuses (the block is in the run's history, and no key goes to a server), nor one
   * that changes how programs are loaded. Checked by the CLI and again by the worker.
   */
  public static String settingProblem(String name) {
    if (!passable(name)) return "its name looks like a secret or is Marathon's (an MCP server's environment travels in the run's history, and no key goes to it)";
    if (name.startsWith("LD_") || name.equals("BASH_ENV") || name.equals("ENV")) return "it changes how programs are loaded";
    return null;
  }

  /** Whether {@code --pass-env NAME} may pass it (for the CLI to refuse early). */
  public static boolean passable(String name) {
    return name.matches("[A-Za-z_][A-Za-z0-9_]*") && !SECRET_NAME.matcher(name).matches();
  }

  private CommandEnvironment() {}
}
