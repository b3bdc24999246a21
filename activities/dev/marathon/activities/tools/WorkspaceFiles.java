package dev.marathon.activities.tools;

import dev.marathon.activities.workspace.Git;
import dev.marathon.activities.workspace.WorkspaceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files of a workspace as git sees them, without ignored ones (so build output and
 * dependencies do not drown the listing) and without {@code .git}: listed through an empty
 * repository of Marathon's, never through the agent's {@code .git} (a gitfile there would list
 * another repository's files; a FIFO for its index would hang the listing).
 */
final class WorkspaceFiles {

  /** Relative paths (forward slashes), sorted, that exist in the working tree. */
  static List<String> list(Path root) {
    Git.Result r;
    try {
      r = Git.overWorkTree(root, "ls-files", "-z", "--others", "--exclude-standard");
    } catch (WorkspaceException e) {
      throw new ToolException("cannot list the workspace's files: " + e.getMessage());
    }
    if (!r.ok()) throw new ToolException("cannot list the workspace's files (git ls-files failed: " + r.err().strip() + ")");
    List<String> files = new ArrayList<>();
    String previous = null;
    for (String f : r.out().split("\0")) {
      if (f.isEmpty() || f.equals(previous)) continue; // unmerged entries repeat
      previous = f;
      if (Files.exists(root.resolve(f), java.nio.file.LinkOption.NOFOLLOW_LINKS)) files.add(f);
    }
    files.sort(null);
    return files;
  }

  /** Files under {@code dir} (a path relative to the root; "." for all). */
  static List<String> under(Path root, String dir) {
    List<String> all = list(root);
    if (dir.equals(".") || dir.isEmpty()) return all;
    String prefix = dir.endsWith("/") ? dir : dir + "/";
    return all.stream().filter(f -> f.equals(dir) || f.startsWith(prefix)).toList();
  }

  private WorkspaceFiles() {}
}
