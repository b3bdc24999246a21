package dev.marathon.activities.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.UUID;

/**
 * Confines file tools to the workspace, by what they touch rather than by the path they were
 * given: an absolute path, a {@code ..} segment, or a symlink that resolves outside is refused
 * before anything is read or written; a file with a second name (a hard link, which could be a
 * file outside) is not read; a write replaces the file (temp file + rename) instead of writing
 * through whatever the name points at; listings do not follow symlinks.
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

  /**
   * The bytes of a workspace file. Refuses anything but a plain file whose real path is inside
   * the workspace and which has no second name.
   */
  public static byte[] read(Path root, Path file, String rel) {
    try {
      Path real = file.toRealPath();
      if (!real.startsWith(root)) throw new ToolException("'" + rel + "' refused: it resolves outside the workspace");
      if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) throw new ToolException("'" + rel + "' is not a regular file");
      if (links(real) > 1) {
        throw new ToolException("'" + rel + "' refused: it is hard-linked (another name for it may be outside the workspace);"
            + " copy it with bash if you need its content");
      }
      return Files.readAllBytes(real);
    } catch (IOException e) {
      throw new ToolException("cannot read '" + rel + "': " + e.getMessage());
    }
  }

  /**
   * Replaces a workspace file with {@code bytes}: written to a temp file beside it and renamed over
   * it, so a hard link or a symlink is replaced, not written through. Keeps an existing file's
   * permissions (an executable script stays executable).
   */
  public static void write(Path file, byte[] bytes) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling("." + file.getFileName() + "." + UUID.randomUUID() + ".marathon-tmp");
    try {
      Files.write(tmp, bytes);
      if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS));
      } else {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Whether a file a listing found is one a tool may read: a plain file (not a symlink), with one
   * name, in a directory whose real path is inside the workspace. {@code checkedDirs} remembers
   * directories already checked during one listing.
   */
  public static boolean plainFileInside(Path root, Path file, Map<Path, Boolean> checkedDirs) {
    try {
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || links(file) > 1) return false;
      Path dir = file.getParent();
      Boolean inside = checkedDirs.get(dir);
      if (inside == null) {
        inside = dir.toRealPath().startsWith(root);
        checkedDirs.put(dir, inside);
      }
      return inside;
    } catch (IOException vanished) {
      return false;
    }
  }

  private static int links(Path p) throws IOException {
    return (Integer) Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
  }

  /** The path as the model should see it: relative to the root, with forward slashes. */
  public static String display(Path root, Path p) {
    String s = root.relativize(p).toString();
    return s.isEmpty() ? "." : s;
  }

  private WorkspacePath() {}
}
