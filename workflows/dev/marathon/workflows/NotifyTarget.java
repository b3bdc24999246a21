package dev.marathon.workflows;


/**
 * Where a run's events go: an http(s) URL, or the name of an endpoint in the worker's own
 * {@code config.json} ({@code "notifyEndpoints"}: a URL kept out of history, or a command). A run's
 * input is written by whoever reaches the Temporal server, so a worker posts to a URL only when its
 * operator allows it, and runs only the commands its own config names (see NotifyEndpoints).
 *
 * @param to the URL, or the endpoint's name
 * @param format {@code json}, {@code slack} or {@code teams}; null: json, or what the named endpoint says
 */
public record NotifyTarget(String to, String format) {
  public static final java.util.List<String> FORMATS = java.util.List.of("json", "slack", "teams");

  public boolean isUrl() {
    return to.regionMatches(true, 0, "http://", 0, 7) || to.regionMatches(true, 0, "https://", 0, 8);
  }

  /**
   * How the target is shown in history, the Web UI and messages: a name as it is, a URL by its
   * scheme and host only — a Slack or Teams webhook URL is itself the secret that lets anyone post.
   */
  public String display() {
    if (!isUrl()) return to;
    return to.substring(0, to.indexOf("://") + 3).toLowerCase(java.util.Locale.ROOT) + hostPart() + "/…";
  }

  /** Null when this target can be used, else why not (a run's input is checked again by the worker). */
  public String problem() {
    if (to == null || to.isBlank()) return "an empty notification target";
    if (format != null && !FORMATS.contains(format)) return "notification format '" + format + "' is not one of " + String.join(", ", FORMATS);
    if (isUrl()) {
      String authority = authority();
      if (authority.contains("@")) return "notification URL " + display() + " carries a user or password; name it in the worker's config.json instead";
      if (!authority.matches("[A-Za-z0-9.-]+(:\\d{1,5})?|\\[[0-9A-Fa-f:.]+\\](:\\d{1,5})?")) return "notification URL " + display() + " has no valid host";
      if (to.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) return "notification URL " + display() + " contains spaces or control characters";
      return null;
    }
    return to.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}") ? null
        : "notification target '" + Text.oneLine(to, 80) + "' is neither an http(s) URL nor an endpoint name (letters, digits, _ . -)";
  }

  /** What is between {@code ://} and the path: host, port, and any user info. */
  private String authority() {
    int from = to.indexOf("://") + 3;
    int end = from;
    while (end < to.length() && "/?#".indexOf(to.charAt(end)) < 0) end++;
    return to.substring(from, end);
  }

  /** The authority without any user info (never shown). */
  private String hostPart() {
    String a = authority();
    return a.substring(a.lastIndexOf('@') + 1);
  }
}
