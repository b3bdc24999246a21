package dev.marathon.activities.workspace;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Repositories nested in the workspace ({@code git init sub}, a cloned dependency), as {@code git
 * add} reports them: one without a commit makes it fail, one with commits would be stored as a
 * bare commit id whose files no snapshot holds. Either way Marathon leaves the directory out.
 */
final class NestedRepositories {
  private static final Pattern UNBORN = Pattern.compile("(?m)^error: '(.+)/' does not have a commit checked out$");
  private static final Pattern EMBEDDED = Pattern.compile("(?m)^warning: adding embedded git repository: (.+)$");

  /** The nested repositories named in {@code git add}'s standard error, workspace-relative, without a trailing slash. */
  static List<String> in(String stderr) {
    List<String> dirs = new ArrayList<>();
    for (Pattern p : List.of(UNBORN, EMBEDDED)) {
      Matcher m = p.matcher(stderr);
      while (m.find()) {
        String dir = m.group(1).strip().replaceAll("/+$", "");
        if (!dir.isEmpty() && !dirs.contains(dir)) dirs.add(dir);
      }
    }
    return dirs;
  }

  /** {@code dir} as a literal gitignore pattern: its wildcards, a leading '#' or '!' and trailing spaces escaped. */
  static String escape(String dir) {
    String escaped = dir.replaceAll("([\\\\*?\\[\\]])", "\\\\$1");
    if (escaped.startsWith("#") || escaped.startsWith("!")) escaped = "\\" + escaped;
    return escaped.replaceAll(" $", "\\\\ ");
  }

  private NestedRepositories() {}
}
