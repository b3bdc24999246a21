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

  /** New files over the cap among some paths, and whether a file in a directory named has another name (see {@link #among}). */
  record Among(List<String> large, boolean otherNames) {}

  /**
   * As {@link #in}, among {@code paths} only (files, or directories with all they hold, which git
   * lists without what is ignored): the sizes are looked at here, and git is asked whether a file
   * over the cap is new only when there is one. Says when a file in a directory named has another
   * name (a hard link: a write through that name made no event). Null when git could not list them.
   */
  static Among among(Path root, Map<String, String> env, Runnable heartbeat, List<String> excludes, List<String> paths) {
    List<String> files = new ArrayList<>();
    List<String> dirs = new ArrayList<>();
    for (String path : paths) (Files.isDirectory(root.resolve(path), LinkOption.NOFOLLOW_LINKS) ? dirs : files).add(path);
    List<String> over = new ArrayList<>();
    for (String f : files) if (size(root.resolve(f)) > MAX_BYTES) over.add(f);
    if (!dirs.isEmpty()) {
      List<String> args = new ArrayList<>(List.of("ls-files", "-z", "--cached", "--others", "--exclude-standard", "--"));
      for (String d : dirs) args.add(":(literal)" + d);
      args.addAll(excludes);
      Git.Result listed = Git.call(root, env, heartbeat, args.toArray(String[]::new));
      if (!listed.ok()) return null;
      for (String name : listed.out().split("\0")) {
        if (name.isEmpty()) continue;
        try {
          Map<String, Object> a = WorkTreeChanges.attributes(root.resolve(name), "size");
          if (WorkTreeChanges.hasOtherNames(a)) return new Among(List.of(), true);
          if (((Long) a.get("size")) > MAX_BYTES && !WorkTreeChanges.isDirectory(a) && !over.contains(name)) over.add(name);
        } catch (IOException gone) {
          // removed meanwhile: nothing to leave out
        }
      }
    }
    if (over.isEmpty()) return new Among(List.of(), false);
    // Tracked files are not left out (see in): git lists the new ones among them.
    List<String> args = new ArrayList<>(List.of("ls-files", "-z", "--others", "--exclude-standard", "--"));
    for (String p : over) args.add(":(literal)" + p);
    args.addAll(excludes);
    Git.Result listed = Git.call(root, env, heartbeat, args.toArray(String[]::new));
    if (!listed.ok()) return null;
    List<String> large = new ArrayList<>();
    for (String name : listed.out().split("\0")) if (!name.isEmpty() && !large.contains(name)) large.add(name);
    return new Among(large, false);
  }

  private static long size(Path file) {
    try {
      return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) ? Files.size(file) : 0;
    } catch (IOException gone) {
      return 0;
    }
  }

  private LargeFiles() {}
}
