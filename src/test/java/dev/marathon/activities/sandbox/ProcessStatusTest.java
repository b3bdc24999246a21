package dev.marathon.activities.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Whether a kept sandbox's own process is still there to serve the next command, read from /proc
 * of real processes. A signal sent and not yet acted on is held still by the cgroup v1 freezer: a
 * frozen process does not run, so a SIGKILL or SIGSTOP stays pending while its state still reads
 * as alive — the moment, otherwise a few milliseconds on a busy machine, in which a bridge killed
 * by a command looked intact. Needs the v1 freezer at /sys/fs/cgroup/freezer and root (the tests
 * run as root, as the sandbox's cgroups need): without them it fails, it does not skip.
 */
class ProcessStatusTest {
  static final Path FREEZER = Path.of("/sys/fs/cgroup/freezer");
  Path frozen;
  Process sleeper;
  long pid;
  String started;

  @BeforeEach
  void setUp() throws Exception {
    assertTrue(Files.isRegularFile(FREEZER.resolve("cgroup.procs")), "the cgroup v1 freezer must be mounted at " + FREEZER);
    frozen = Files.createDirectory(FREEZER.resolve("marathon-test-" + UUID.randomUUID()));
    sleeper = new ProcessBuilder("sleep", "60").start();
    pid = sleeper.pid();
    started = ProcessStatus.startOf(pid);
    assertNotNull(started);
  }

  @AfterEach
  void tearDown() throws Exception {
    sleeper.destroyForcibly();
    Files.writeString(frozen.resolve("freezer.state"), "THAWED");
    sleeper.waitFor();
    Files.delete(frozen);
  }

  void freeze() throws Exception {
    Files.writeString(frozen.resolve("cgroup.procs"), Long.toString(pid));
    Files.writeString(frozen.resolve("freezer.state"), "FROZEN");
    while (!Files.readString(frozen.resolve("freezer.state")).strip().equals("FROZEN")) Thread.sleep(10);
  }

  void signal(String name) throws Exception {
    assertEquals(0, new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start().waitFor());
  }

  /** Its state letter in /proc/pid/stat: what a look at the state alone would go by. */
  String state() throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  }

  @Test
  void aRunningProcessIsIntactAndAnotherWithItsIdIsNot() {
    assertTrue(ProcessStatus.intact(pid, started));
    assertFalse(ProcessStatus.intact(pid, started + "1"), "a process that started at another time is another process");
    assertEquals(-1, ProcessStatus.innermostPid(-5));
    assertFalse(ProcessStatus.intact(-5, started), "no such process");
  }

  @Test
  void aProcessKilledButNotYetDeadIsNotIntact() throws Exception {
    freeze();
    assertTrue(ProcessStatus.intact(pid, started), "frozen, it is still the same process, and will go on");
    signal("KILL");
    assertEquals("D", state(), "the kill is sent; the process has not run to act on it");
    assertTrue(ProcessStatus.killOrStopPending(pid));
    assertFalse(ProcessStatus.intact(pid, started), "about to die");
  }

  @Test
  void aProcessStoppedOrAboutToStopIsNotIntactAndIsAgainOnceContinued() throws Exception {
    freeze();
    signal("STOP");
    assertEquals("D", state());
    assertFalse(ProcessStatus.intact(pid, started), "about to stop");
    Files.writeString(frozen.resolve("freezer.state"), "THAWED");
    while (!state().equals("T")) Thread.sleep(10);
    assertFalse(ProcessStatus.intact(pid, started), "stopped");
    signal("CONT");
    while (state().equals("T")) Thread.sleep(10);
    assertTrue(ProcessStatus.intact(pid, started));
  }
}
