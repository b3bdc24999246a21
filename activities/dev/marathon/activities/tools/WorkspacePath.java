package dev.marathon.activities.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Confines file tools to the workspace: an absolute path, a {@code ..} segment, or a symlink that
 * resolves outside the workspace is refused before anything is read or written.
 */
public final class WorkspacePath {

  /**
   * @param root the workspace root, as a real path
   * @param relative the path the model gave
   * @param forWrite also refuses paths into {@code .git}, which would corrupt the worktree
   */
  public static Path resolve(Path root, String relative, boolean forWrite) {
    if (relative == null || relative.isBlank()) throw new ToolException("path is empty");
    String rel = relative.strip();
    if (rel.startsWith("/") || rel.startsWith("~") || Path.of(rel).isAbsolute()) {
      throw new ToolException("absolute path '" + rel + "' refused: use a path relative to the workspace root");
    }
    for (Path segment : Path.of(rel)) {
      if (segment.toString().equals("..")) {
        throw new ToolException("path '" + rel + "' refused: '..' may not leave the workspace");
      }
    }
    Path target = root.resolve(rel).normalize();
    if (!target.startsWith(root)) throw new ToolException("path '" + rel + "' is outside the workspace");
    if (forWrite && root.relativize(target).getNameCount() > 0 && root.relativize(target).getName(0).toString().equals(".git")) {
      throw new ToolException("path '" + rel + "' refused: the .git directory is managed by git and Marathon");
    }
    // Follow symlinks on the deepest part of the path that exists; all of it must stay inside.
    Path existing = target;
    while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) existing = existing.getParent();
    if (existing == null) throw new ToolException("path '" + rel + "' is outside the workspace");
    if (Files.isSymbolicLink(existing) && !Files.exists(existing)) {
      throw new ToolException("path '" + rel + "' refused: it is a dangling symlink");
    }
    try {
      if (!existing.toRealPath().startsWith(root)) {
        throw new ToolException("path '" + rel + "' refused: a symlink resolves outside the workspace");
      }
    } catch (IOException e) {
      throw new ToolException("cannot resolve path '" + rel + "': " + e.getMessage());
    }
    return target;
  }

  /** The path as the model should see it: relative to the root, with forward slashes. */
  public static String display(Path root, Path p) {
    String s = root.relativize(p).toString();
    return s.isEmpty() ? "." : s;
  }

  private WorkspacePath() {}
}
