package dev.marathon.activities.sandbox;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How one of the agent's commands runs: in {@link Bubblewrap} (the default), or {@link
 * Unsandboxed} with {@code --sandbox off}. Either way the command is a fresh {@code bash -c} in its
 * own session (so it can be killed as a group), in the workspace, with exactly {@code env}.
 */
public interface CommandSandbox {

  /**
   * @param workspace the only directory the command may write (besides {@code home} and /tmp)
   * @param home the command's private home directory
   * @param readable directories the command must be able to read wherever they are (the user's
   *     repository, whose objects the workspace borrows), read-only
   * @param network the network the command gets
   */
  ProcessBuilder process(String command, Path workspace, Path home, List<Path> readable, Map<String, String> env, Network network);

  /** What contains the command, for its step's record. */
  String describe(Network network);

  /** Where commands can run in a sandbox kept between them, or null when each starts its own (nothing to save). */
  default SandboxSessions sessions() {
    return null;
  }
}
