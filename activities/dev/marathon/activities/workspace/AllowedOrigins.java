package dev.marathon.activities.workspace;

import dev.marathon.activities.policy.UrlPrefixes;

/**
 * The remotes a worker will use its own git credentials for ({@code MARATHON_ORIGINS}: URL
 * prefixes, separated by spaces or commas, e.g. {@code ssh://git@git.example.com/team/
 * https://github.com/acme/}). A run's repository URL is a run input, which anyone who reaches the
 * Temporal server can write: without this list, naming a URL would make the worker clone any
 * repository its credentials can read into a run's reach, send a credential helper's token to any
 * host, or push to any repository it can write. So ssh and https remotes are refused unless the
 * worker's operator listed them; {@code file://} needs no credential and is checked like a path.
 */
public final class AllowedOrigins {
  public static final String ENV = "MARATHON_ORIGINS";

  private final UrlPrefixes prefixes;

  private AllowedOrigins(UrlPrefixes prefixes) {
    this.prefixes = prefixes;
  }

  /** The list {@code value} (the variable's text; null or blank: none) gives. */
  public static AllowedOrigins of(String value) {
    return new AllowedOrigins(UrlPrefixes.of(value));
  }

  /** This process's list, from {@link #ENV}. */
  public static AllowedOrigins fromEnvironment() {
    return of(System.getenv(ENV));
  }

  /** Null when a worker may use its credentials for {@code url}, else why not. */
  String problem(String url) {
    if (url.startsWith("file://") || prefixes.matches(url)) return null;
    return "repository URL " + url + " is not among the remotes this worker may use its git credentials for ("
        + ENV + (prefixes.isEmpty() ? " is not set" : " does not list it") + "); its operator can add it";
  }
}
