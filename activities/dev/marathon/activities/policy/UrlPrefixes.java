package dev.marathon.activities.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * URL prefixes an operator lists in a variable (separated by spaces or commas), each matched at a
 * path boundary: {@code https://hooks.example.com/a} lets {@code https://hooks.example.com/a/b}
 * through, never {@code https://hooks.example.com/ab} or {@code https://hooks.example.com.evil/}.
 */
public final class UrlPrefixes {
  private final List<String> prefixes;

  private UrlPrefixes(List<String> prefixes) {
    this.prefixes = List.copyOf(prefixes);
  }

  /** The list {@code value} (a variable's text; null or blank: none) gives. */
  public static UrlPrefixes of(String value) {
    List<String> prefixes = new ArrayList<>();
    if (value != null) {
      for (String p : value.split("[\\s,]+")) if (!p.isBlank()) prefixes.add(p.strip());
    }
    return new UrlPrefixes(prefixes);
  }

  public boolean matches(String url) {
    for (String p : prefixes) {
      if (url.startsWith(p) && (p.endsWith("/") || url.length() == p.length() || url.charAt(p.length()) == '/')) return true;
    }
    return false;
  }

  /** The list as the operator wrote it, for messages; "" when empty. */
  public String listed() {
    return String.join(" ", prefixes);
  }

  public boolean isEmpty() {
    return prefixes.isEmpty();
  }
}
