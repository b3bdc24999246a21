package dev.marathon.activities.workspace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Files too large to snapshot: a 2 GB file the agent made took about two minutes per snapshot and
 * landed in the user's repository with the branch, without a word. Such a file stays in the
 * workspace, out of snapshots and the delivered branch, and the step says so. A restore leaves it
 * as it is: it is not part of the exactly-once record.
 */
final class LargeFiles {
  /** The largest file a snapshot takes. */
  static final long MAX_BYTES = 100L << 20;

  /**
   * New files (untracked, not ignored) over {@link #MAX_BYTES}: one {@code git ls-files --others}
   * and a size check of what it lists. Tracked files are not looked at: asking git which of them
   * changed stats the whole tree a second time (+140 ms a step in a 90,000-file repository), and a
   * tracked file grown past the cap is rare; such a file is snapshotted as before.
   */
  static List<String> in(Path root, Map<String, String> env, Runnable heartbeat, List<String> excludes) {
    List<String> args = new ArrayList<>(List.of("ls-files", "-z", "--others", "--exclude-standard", "--"));
    args.addAll(excludes);
    Git.Result changed = Git.call(root, env, heartbeat, args.toArray(String[]::new));
    if (!changed.ok()) return List.of(); // git add will say what is wrong
    List<String> large = new ArrayList<>();
    for (String name : changed.out().split("\0")) {
      if (name.isEmpty() || large.contains(name)) continue;
      Path file = root.resolve(name);
      try {
        if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Files.size(file) > MAX_BYTES) large.add(name);
      } catch (IOException gone) {
        // removed meanwhile: nothing to leave out
      }
    }
    return large;
  }

  /**
   * As {@link #in}, among {@code paths} (files, or directories with all they hold) only: the
   * sizes are looked at here, and git is asked only about a file over the cap (is it new and not
   * ignored), so a step that wrote no such file starts no process for it.
   */
  static List<String> among(Path root, Map<String, String> env, Runnable heartbeat, List<String> excludes, List<String> paths) {
    List<String> over = new ArrayList<>();
    for (String path : paths) {
      try {
        java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(root.resolve(path),
            java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isRegularFile() && a.size() > MAX_BYTES) over.add(path);
        if (a.isDirectory()) {
          try (java.util.stream.Stream<Path> files = Files.walk(root.resolve(path))) {
            files.filter(f -> !inGitDirectory(root.relativize(f)))
                .filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) && size(f) > MAX_BYTES)
                .forEach(f -> over.add(root.relativize(f).toString()));
          }
        }
      } catch (IOException | java.io.UncheckedIOException gone) {
        // removed meanwhile: nothing to leave out
      }
    }
    if (over.isEmpty()) return List.of();
    List<String> args = new ArrayList<>(List.of("ls-files", "-z", "--others", "--exclude-standard", "--"));
    for (String p : over) args.add(":(literal)" + p);
    args.addAll(excludes);
    Git.Result untracked = Git.call(root, env, heartbeat, args.toArray(String[]::new));
    if (!untracked.ok()) return List.of();
    List<String> large = new ArrayList<>();
    for (String name : untracked.out().split("\0")) if (!name.isEmpty() && !large.contains(name)) large.add(name);
    return large;
  }

  private static boolean inGitDirectory(Path relative) {
    for (Path name : relative) if (name.toString().equals(".git")) return true;
    return false;
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException gone) {
      return 0;
    }
  }

  private LargeFiles() {}
}
