package dev.marathon.activities.workspace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Where Marathon's index lags the last tree built without git ({@link ChangedTree}): that tree,
 * and the paths it recorded that the index does not have as it has them. Kept in a file next to
 * the index ({@code <run>.marathon/index-lag}), not in a worker's memory: whichever worker process
 * next has git look at the work tree through the index (a restarted one, or another one after a
 * retry went to it) must first bring the index to that tree at those paths, or git takes a file
 * that tree tracks for an untracked one, or the reverse — and a restore then deletes a file it
 * should keep. Written before the snapshot that needs it is recorded.
 */
final class IndexLag {
  private final Path file;

  IndexLag(Path file) {
    this.file = file;
  }

  /** The lag: a tree and paths where the index may differ from it. */
  record Lag(String tree, Set<String> paths) {}

  /** The lag now, or null when the index has none. */
  Lag read() {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException none) {
      return null;
    } catch (IOException e) {
      throw new WorkspaceException("cannot read " + file + ": " + e.getMessage(), false);
    }
    int nl = text.indexOf('\n');
    Set<String> paths = new LinkedHashSet<>();
    for (String p : text.substring(nl + 1).split("\0")) {
      if (!p.isEmpty()) paths.add(p);
    }
    return nl == 40 && text.substring(0, nl).matches("[0-9a-f]{40}") ? new Lag(text.substring(0, nl), paths) : null;
  }

  /**
   * {@code tree} was built on top of the tree the lag was of (which it holds, but where it names
   * {@code paths}): the lag is now of {@code tree}, at those paths too.
   */
  void add(String tree, Collection<String> paths) {
    Lag was = read();
    Set<String> all = new LinkedHashSet<>(was == null ? Set.of() : was.paths());
    all.addAll(paths);
    if (all.isEmpty()) return;
    // Fsynced: after a power loss the snapshots recorded would otherwise outlive the record of where the index lags them.
    Workspace.writeDurably(file, (tree + "\n" + String.join("\0", all)).getBytes(StandardCharsets.UTF_8));
  }

  /** The index has caught up (or was rebuilt): nothing lags. */
  void clear() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new WorkspaceException("cannot remove " + file + ": " + e.getMessage(), false);
    }
  }
}
