package dev.marathon.activities;

import dev.marathon.activities.tools.ToolException;
import dev.marathon.activities.tools.WorkTreeFiles;
import dev.marathon.activities.workspace.Git;
import dev.marathon.activities.workspace.WorkspaceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files of a work tree as git lists them, through an empty repository of Marathon's, never
 * through the agent's {@code .git} (a gitfile there would list another repository's files; a FIFO
 * for its index would hang the listing). Here, between the tools and the workspace, so that
 * neither knows the other: the tools see only {@link WorkTreeFiles}.
 */
public final class GitWorkTreeFiles implements WorkTreeFiles {

  @Override
  public List<String> list(Path root) {
    return listed(root, null);
  }

  /**
   * Git walks only {@code dir} (a pathspec), not the whole tree: on 92,000 files a 217-file
   * directory's listing took 0.9 s filtered from all of them, 0.02 s this way. The ignore files of
   * the directories above still apply.
   */
  @Override
  public List<String> under(Path root, String dir) {
    return dir.equals(".") || dir.isEmpty() ? list(root) : listed(root, dir);
  }

  private static List<String> listed(Path root, String dir) {
    Git.Result r;
    try {
      r = dir == null ? Git.overWorkTree(root, "ls-files", "-z", "--others", "--exclude-standard")
          : Git.overWorkTree(root, "ls-files", "-z", "--others", "--exclude-standard", "--", ":(literal)" + dir);
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
}
