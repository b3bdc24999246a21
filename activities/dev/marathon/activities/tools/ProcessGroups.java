package dev.marathon.activities.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Kills the processes of commands: a whole group, or every process carrying a marker. */
public final class ProcessGroups {

  /** Sends SIGKILL to process group {@code pgid}; a group that is already gone is fine. */
  public static void kill(long pgid) {
    if (pgid <= 1) return;
    try {
      Process p = new ProcessBuilder("kill", "-KILL", "--", "-" + pgid)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      p.waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run kill: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Kills every process whose environment holds {@code name=value}: the leftovers of a command
   * whose worker died (they survive it, in their own session). Returns how many were killed.
   */
  public static int killMarked(String name, String value) {
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

  private ProcessGroups() {}
}
