package dev.marathon.activities.workspace;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Paths git refuses to store ({@code core.protectNTFS}, {@code core.protectHFS}): a directory
 * named {@code .GIT}, {@code git~1} or {@code .git.} is {@code .git} itself on a case-insensitive
 * or Windows file system, so a branch holding one could write into the repository of whoever checks
 * it out there. Refused by git, such a path made every later snapshot of the workspace fail; it is
 * left out instead (from the first component that names {@code .git} that way), and said.
 */
final class UnsafePaths {
  private static final Pattern INVALID = Pattern.compile("(?m)^error: invalid path '([^\n]+)'$");
  private static final Pattern GIT_ALIAS = Pattern.compile("(?i)(\\.git[ .:]*.*|git~[0-9]+)");

  /** What to leave out for the paths {@code git add}'s standard error calls invalid, workspace-relative. */
  static List<String> in(String stderr) {
    List<String> out = new ArrayList<>();
    Matcher m = INVALID.matcher(stderr);
    while (m.find()) {
      String path = m.group(1);
      String[] parts = path.split("/");
      String leave = path;
      for (int i = 0; i < parts.length; i++) {
        if (GIT_ALIAS.matcher(parts[i]).matches()) {
          leave = String.join("/", java.util.Arrays.copyOf(parts, i + 1));
          break;
        }
      }
      if (!leave.isEmpty() && !out.contains(leave)) out.add(leave);
    }
    return out;
  }

  private UnsafePaths() {}
}
