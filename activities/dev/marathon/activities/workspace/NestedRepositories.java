package dev.marathon.activities.workspace;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
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
  private static final Pattern UNBORN = Pattern.compile("(?m)^error: '([^\n]+)/' does not have a commit checked out$");
  private static final Pattern EMBEDDED = Pattern.compile("(?m)^warning: adding embedded git repository: ([^\n]+)$");

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

  /**
   * The nested repositories under {@code root}, found by walking it (no link followed, the run's
   * own {@code .git} skipped): when git's message names none Marathon can read (a name with a
   * newline in it), so that no name can make every later snapshot fail.
   */
  static List<String> find(Path root) {
    List<String> found = new ArrayList<>();
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          if (dir.equals(root.resolve(".git"))) return FileVisitResult.SKIP_SUBTREE;
          if (!dir.equals(root) && Files.exists(dir.resolve(".git"), LinkOption.NOFOLLOW_LINKS)) {
            found.add(root.relativize(dir).toString());
            return FileVisitResult.SKIP_SUBTREE;
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new WorkspaceException("cannot look for nested repositories in " + root + ": " + e.getMessage(), false);
    }
    return found;
  }

  private NestedRepositories() {}
}
