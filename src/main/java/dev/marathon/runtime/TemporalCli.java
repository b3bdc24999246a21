package dev.marathon.runtime;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the Temporal CLI (the real dev server): {@code $MARATHON_TEMPORAL_BIN}, then Marathon's
 * own install ({@code ~/.marathon/bin/temporal}, made by {@code scripts/install-temporal-cli}),
 * then {@code PATH}.
 */
public final class TemporalCli {

  public static Optional<Path> find(MarathonHome home) {
    String explicit = System.getenv("MARATHON_TEMPORAL_BIN");
    if (explicit != null && !explicit.isBlank()) {
      Path p = Path.of(explicit);
      return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    Path own = home.bin().resolve("temporal");
    if (Files.isExecutable(own)) return Optional.of(own);
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        Path p = Path.of(dir, "temporal");
        if (Files.isExecutable(p)) return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  private TemporalCli() {}
}
