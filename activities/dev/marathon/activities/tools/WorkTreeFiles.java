package dev.marathon.activities.tools;

import java.nio.file.Path;
import java.util.List;

/**
 * The files of a tool's work tree as git sees them: without ignored ones (so build output and
 * dependencies do not drown a listing) and without {@code .git}. {@code list_files} and {@code
 * grep} get it in their {@link ToolContext} and never learn how it is done: whoever made the work
 * tree supplies it (today the tool activity, with git over an empty repository of Marathon's), so
 * a workspace of another kind — cloned from a git URL, its snapshots elsewhere — needs no tool to
 * change.
 */
public interface WorkTreeFiles {

  /**
   * Relative paths (forward slashes), sorted, that exist in the work tree at {@code root}; throws
   * {@link ToolException} when they cannot be listed.
   */
  List<String> list(Path root);

  /** Files under {@code dir} (a path relative to the root; "." for all). */
  default List<String> under(Path root, String dir) {
    List<String> all = list(root);
    if (dir.equals(".") || dir.isEmpty()) return all;
    String prefix = dir.endsWith("/") ? dir : dir + "/";
    return all.stream().filter(f -> f.equals(dir) || f.startsWith(prefix)).toList();
  }
}
