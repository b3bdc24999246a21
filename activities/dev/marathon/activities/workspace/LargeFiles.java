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

  private LargeFiles() {}
}
