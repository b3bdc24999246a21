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

  /**
   * Whether {@code url} is under a listed prefix. A URL with a dot segment or an encoded dot, slash
   * or backslash never is: the receiving server would resolve {@code /hooks/../admin} out of the
   * prefix after the check had let it through.
   */
  public boolean matches(String url) {
    String lower = url.toLowerCase(java.util.Locale.ROOT);
    if (lower.contains("/../") || lower.contains("/./") || lower.endsWith("/..") || lower.endsWith("/.") || lower.contains("\\")
        || lower.contains("%2e") || lower.contains("%2f") || lower.contains("%5c")) {
      return false;
    }
    for (String p : prefixes) {
      if (url.startsWith(p) && (p.endsWith("/") || url.length() == p.length() || url.charAt(p.length()) == '/')) return true;
    }
    return false;
  }

  public boolean isEmpty() {
    return prefixes.isEmpty();
  }
}
