package dev.marathon.activities.workspace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The command a repository names to rebuild what snapshots leave out ({@code "setup"} in its
 * {@code .marathon/config.json}, e.g. {@code "npm ci"} or {@code "mvn -q -o dependency:go-offline"}):
 * ignored files — dependencies, build outputs, caches — do not travel with a run that moves to
 * another machine, and a worker runs this once, in the run's sandbox like any command, before the
 * first step it takes in a work tree it rebuilt.
 *
 * <p>Read from the run's base commit, which the user made, never from the work tree, which the
 * agent may have edited: what runs on every machine the run reaches is what the user wrote.
 */
final class RepositorySetup {
  static final String FILE = ".marathon/config.json";
  static final int MAX_CHARS = 4096;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The setup command at {@code base}, or null when the repository names none (or names it wrongly: said in the log). */
  static String command(SnapshotRepository snapshots, String base) {
    Git.Result r = Git.call(snapshots.dir(), snapshots.env(), null, "cat-file", "blob", base + ":" + FILE);
    if (!r.ok()) return null;
    try {
      JsonNode setup = JSON.readTree(r.out()).path("setup");
      if (setup.isMissingNode() || setup.isNull()) return null;
      if (!setup.isTextual() || setup.asText().isBlank() || setup.asText().length() > MAX_CHARS) {
        LOG.warn("{} at {}: \"setup\" must be a command of at most {} characters; no setup command runs", FILE, base, MAX_CHARS);
        return null;
      }
      return setup.asText();
    } catch (java.io.IOException e) {
      LOG.warn("{} at {} is not JSON ({}); no setup command runs", FILE, base, e.getMessage());
      return null;
    }
  }

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RepositorySetup.class);

  private RepositorySetup() {}
}
