package dev.marathon.activities.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The processes carrying a marker variable in their environment, found through {@code /proc}. A
 * command's process group dies with the worker that watched it only if the worker lived to kill
 * it; when the worker died, its commands survive in their own sessions, and the marker is how the
 * next attempt finds them (the workspace kills a run's before it restores the run's files).
 */
public final class MarkedProcesses {

  /**
   * Kills every process whose environment holds {@code name=value}: the leftovers of a command
   * whose worker died (they survive it, in their own session). Returns how many were killed.
   */
  public static int kill(String name, String value) {
    byte[] marker = (name + "=" + value + "\0").getBytes(StandardCharsets.UTF_8);
    int killed = 0;
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path proc : (Iterable<Path>) procs::iterator) {
        String pid = proc.getFileName().toString();
        if (!pid.chars().allMatch(Character::isDigit) || Long.parseLong(pid) == ProcessHandle.current().pid()) continue;
        byte[] env;
        try {
          env = Files.readAllBytes(proc.resolve("environ"));
        } catch (IOException | SecurityException gone) {
          continue;
        }
        if (contains(env, marker)) {
          ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
          killed++;
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc: " + e.getMessage(), e);
    }
    return killed;
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      if (i > 0 && haystack[i - 1] != 0) continue; // variables start after a NUL
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) continue outer;
      }
      return true;
    }
    return false;
  }

  private MarkedProcesses() {}
}
