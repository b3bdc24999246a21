package dev.marathon.activities.process;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Kills a command's process group. A command is started with {@code setsid}, so it leads a group
 * of its own and everything it starts stays in it: killing the group ends the command and what it
 * left running. Lives apart from the tools and the workspace so that both can use process control
 * without depending on each other.
 */
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

  private ProcessGroups() {}
}
