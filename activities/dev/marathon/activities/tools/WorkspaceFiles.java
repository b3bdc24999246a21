package dev.marathon.activities.tools;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The files of a workspace as git sees them: tracked and untracked, without ignored ones (so
 * build output and dependencies do not drown the listing), and without {@code .git}.
 */
final class WorkspaceFiles {

  /** Relative paths (forward slashes), sorted, that exist in the working tree. */
  static List<String> list(Path root) {
    List<String> files = new ArrayList<>();
    try {
      Process p = new ProcessBuilder("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
          .directory(root.toFile())
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      byte[] out;
      try (InputStream in = p.getInputStream()) {
        out = in.readAllBytes();
      }
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new ToolException("cannot list the workspace's files (git ls-files failed)");
      }
      String previous = null;
      for (String f : new String(out, StandardCharsets.UTF_8).split("\0")) {
        if (f.isEmpty() || f.equals(previous)) continue; // unmerged entries repeat
        previous = f;
        if (Files.exists(root.resolve(f))) files.add(f);
      }
    } catch (IOException e) {
      throw new ToolException("cannot list the workspace's files: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ToolException("interrupted while listing files");
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
