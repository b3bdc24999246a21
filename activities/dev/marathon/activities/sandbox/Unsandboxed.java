package dev.marathon.activities.sandbox;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code --sandbox off}: the command runs as the worker's user, with only the allow-listed
 * environment. It can read whatever that user can, including the worker's environment (and so the
 * model key) through /proc, and leave processes behind that escape its session: say so, loudly.
 */
public final class Unsandboxed implements CommandSandbox {

  @Override
  public ProcessBuilder process(String command, Path workspace, Path home, List<Path> readable, Map<String, String> env, Network network) {
    ProcessBuilder pb = new ProcessBuilder("setsid", "bash", "-c", command).directory(workspace.toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    return pb;
  }

  @Override
  public String describe(Network network) {
    return "no sandbox (--sandbox off)";
  }
}
