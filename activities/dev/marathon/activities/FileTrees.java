package dev.marathon.activities;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removing a directory tree: the one way Marathon does it (workspaces, gc, scratch directories). */
public final class FileTrees {

  /**
   * Deletes {@code dir} and everything under it, deepest first; nothing when it does not exist.
   * Symbolic links are removed, never followed (the agent may have planted them in a workspace).
   */
  public static void delete(Path dir) throws IOException {
    delete(dir, () -> { });
  }

  /**
   * {@link #delete(Path)}, calling {@code progress} every {@value #EVERY} paths: an activity
   * deleting a 92,000-file checkout heartbeats while it does.
   */
  public static void delete(Path dir, Runnable progress) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
    try (Stream<Path> walk = Files.walk(dir)) {
      int n = 0;
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
        if (++n % EVERY == 0) progress.run();
      }
    }
  }

  static final int EVERY = 1000;

  private FileTrees() {}
}
