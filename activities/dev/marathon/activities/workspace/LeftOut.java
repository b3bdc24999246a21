package dev.marathon.activities.workspace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The paths a run's snapshots leave out (nested repositories, files over the size cap), kept in a
 * file of Marathon's beside the snapshot repository, NUL-separated, and given to git as literal
 * exclude pathspecs: no name the agent chooses, a newline in it included, can become a pattern
 * that leaves out anything else.
 */
final class LeftOut {
  private final Path file;

  LeftOut(Path file) {
    this.file = file;
  }

  /** The paths left out so far. */
  Set<String> paths() {
    Set<String> paths = new LinkedHashSet<>();
    try {
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) return paths;
      for (String p : Files.readString(file, StandardCharsets.UTF_8).split("\0")) if (!p.isEmpty()) paths.add(p);
    } catch (IOException e) {
      throw new WorkspaceException("cannot read " + file + ": " + e.getMessage(), false);
    }
    return paths;
  }

  /** Adds {@code more}; returns those not left out before. */
  List<String> add(List<String> more) {
    Set<String> all = paths();
    List<String> added = new ArrayList<>();
    for (String p : more) if (all.add(p)) added.add(p);
    if (added.isEmpty()) return added;
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, String.join("\0", all), StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new WorkspaceException("cannot write " + file + ": " + e.getMessage(), false);
    }
    return added;
  }

  /** Pathspecs that keep git away from every path left out (after {@code --}). */
  List<String> excludes() {
    List<String> specs = new ArrayList<>();
    for (String p : paths()) specs.add(":(exclude,literal)" + p);
    return specs;
  }
}
