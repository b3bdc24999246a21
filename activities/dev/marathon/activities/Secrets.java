package dev.marathon.activities;

import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The worker's secrets: environment variables that hold API keys. Commands the agent runs do not
 * see them, and their values are scrubbed from anything Marathon stores or reports, so a key never
 * lands in history, logs or the checkpoint store even if a provider echoes it back.
 */
public final class Secrets {
  private static final Pattern KEY_NAME = Pattern.compile("(?i).*(API_KEY|APIKEY|_TOKEN|_SECRET)$");
  /** Values shorter than this are not treated as secrets (they would scrub ordinary words). */
  private static final int MIN_SECRET_CHARS = 8;

  private final Set<String> names;
  private final List<String> values;

  public Secrets(Map<String, String> env, Set<String> alsoSecret) {
    Set<String> n = new HashSet<>(alsoSecret);
    for (String name : env.keySet()) if (KEY_NAME.matcher(name).matches()) n.add(name);
    this.names = Set.copyOf(n);
    this.values = n.stream().map(env::get)
        .filter(v -> v != null && v.length() >= MIN_SECRET_CHARS)
        .distinct()
        .sorted(Comparator.comparingInt(String::length).reversed())
        .toList();
  }

  public static Secrets fromEnvironment() {
    return new Secrets(System.getenv(), Set.of("MARATHON_API_KEY"));
  }

  /** Variable names a command must not inherit. */
  public Set<String> names() {
    return names;
  }

  /** {@code text} with every secret value replaced by {@code [REDACTED]}. */
  public String redact(String text) {
    if (text == null || values.isEmpty()) return text;
    String out = text;
    for (String v : values) if (out.contains(v)) out = out.replace(v, "[REDACTED]");
    return out;
  }
}
