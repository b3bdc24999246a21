package dev.marathon.activities.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.activities.policy.KeyBindings;
import dev.marathon.activities.policy.WorkerPolicy;
import dev.marathon.activities.tools.Arguments;
import dev.marathon.activities.tools.BashTool;
import dev.marathon.activities.tools.ToolContext;
import dev.marathon.activities.tools.ToolOutput;
import dev.marathon.workflows.Containment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run's bash commands share one kept bubblewrap sandbox, and each still runs as in a fresh one:
 * real bwrap, real processes, through the bash tool. Needs bwrap, socat and cgroups (the test command installs
 * the first two; the tests run as root): without them it fails, it does not skip.
 */
class SandboxSessionTest {
  @TempDir Path tmp;
  Sandboxes sandboxes;
  Path workspace;
  Path home;

  @BeforeEach
  void setUp() throws Exception {
    sandboxes = new Sandboxes(List.of(tmp.resolve("marathon")), WorkerPolicy.strict(KeyBindings.none()));
    assertNull(sandboxes.problem(), "bubblewrap must work here");
    assertNull(sandboxes.limits().unavailable(), "per-command cgroups must work here");
    workspace = Files.createDirectories(tmp.resolve("marathon/workspaces/ks-1"));
    home = Files.createDirectories(tmp.resolve("marathon/workspaces/ks-1.marathon/home"));
  }

  @AfterEach
  void tearDown() {
    sessions().closeAll();
  }

  SandboxSessions sessions() {
    return sandboxes.forRun("ks-1", Containment.DEFAULT).sessions();
  }

  ToolOutput bash(String command, int seconds) {
    return bash(command, seconds, () -> { });
  }

  ToolOutput bash(String command, int seconds, Runnable heartbeat) {
    ToolContext context = new ToolContext(workspace, seconds, heartbeat, sandboxes.forRun("ks-1", Containment.DEFAULT), home, List.of(),
        Map.of("PATH", System.getenv("PATH"), "HOME", home.toString()), sandboxes.network(Containment.DEFAULT), sandboxes.limits(),
        new dev.marathon.activities.GitWorkTreeFiles());
    return new BashTool().execute(Arguments.parse("bash", dev.marathon.activities.Json.MAPPER.createObjectNode()
        .put("command", command).toString()), context);
  }

  /** The command's output after its "exit code: N" line. */
  static String output(ToolOutput out) {
    return out.text().substring(out.text().indexOf('\n') + 1);
  }

  /** How many sandboxes the commands so far have started. */
  int sandboxes() {
    return sessions().started();
  }

  /** What /tmp holds that is not scratch: the directory the test's workspace is mounted in, when it is under /tmp. */
  String tmpMounts() {
    return tmp.startsWith("/tmp") ? tmp.getName(1) + "\n" : "";
  }

  /** The names of the processes the command sees, but for the dead ones not yet reaped (a zombie runs nothing). */
  static final String PROCESSES = "for p in /proc/[0-9]*; do read -r s < $p/stat && [[ $s == *') Z '* ]] && continue;"
      + " read -r c < $p/comm && echo \"$c\"; done 2>/dev/null | sort | tr '\\n' ' '";

  @Test
  void consecutiveCommandsShareOneSandboxAndNothingCarriesOverFromOneToTheNext() {
    ToolOutput first = bash("export LEFT=1; cd /; echo x > /tmp/t; echo y > /var/tmp/v; echo z > /dev/shm/s; mkdir -p /tmp/d/e;"
        + " sleep 300 & setsid sleep 301 & disown -a; echo started", 30);
    assertEquals("exit code: 0\nstarted\n", first.text());
    ToolOutput second = bash("echo ${LEFT:-unset}; pwd; ls -A /tmp /var/tmp /dev/shm; " + PROCESSES, 30);
    assertEquals("unset\n" + workspace + "\n/dev/shm:\n\n/tmp:\n" + tmpMounts() + "\n/var/tmp:\n",
        output(second).substring(0, output(second).lastIndexOf("/var/tmp:\n") + 10));
    assertEquals("", output(bash("ls -A " + tmp + "/marathon | grep -v '^workspaces$'; ls -A " + tmp + "/marathon/workspaces | grep -v '^ks-1'", 30)),
        "beside the mounts, nothing is left either");
    String processes = output(second).substring(output(second).lastIndexOf("/var/tmp:\n") + 10);
    assertFalse(processes.contains("sleep"), "what the command before left running is gone: " + processes);
    assertTrue(processes.contains("socat"), "the bridge to the egress proxy is still there: " + processes);
    assertEquals(1, sandboxes(), "one sandbox served them all");
    assertEquals(1, sessions().idleCount());

    assertEquals("exit code: 3\nno newline", bash("printf 'no newline'; exit 3", 30).text());
    assertEquals("exit code: 0\n\n0123456789abcdef0123456789abcdef 0\n\\x41 %b $'\\n' ✓\n",
        bash("printf '\\n%s 0\\n' 0123456789abcdef0123456789abcdef; echo '\\x41 %b $'\\''\\n'\\'' ✓'", 30).text());
    assertEquals(1, sandboxes());

    // A request over a pipe's page goes from a thread of its own; a short one is written at once. Both reach the loop whole.
    String word = "x".repeat(3_000);
    assertEquals("exit code: 0\n" + word.length() + "\n", bash("w=" + word + "; echo ${#w}", 30).text());
    assertEquals("exit code: 0\nshort\n", bash("echo short", 30).text());
    assertEquals(1, sandboxes(), "the same sandbox took both");
  }

  @Test
  void aCommandThatEndsItsSandboxOrTimesOutLeavesTheNextCommandAFreshOne() throws Exception {
    // The loop is the sandbox's first process: with it goes the sandbox, and the command with it.
    ToolOutput killedLoop = bash("echo before; kill -9 $PPID; sleep 1; echo after", 30);
    assertEquals("exit code: unknown\nbefore\n\n[marathon: the command ended the sandbox it ran in]", killedLoop.text());
    assertEquals(1, sandboxes());
    assertEquals("exit code: 0\nok\n", bash("echo ok", 30).text());
    assertEquals(2, sandboxes(), "a new sandbox for the next command");

    bash("for p in /proc/[0-9]*; do read -r c < $p/comm; [[ $c == socat ]] && kill -9 ${p#/proc/}; done; true", 30);
    assertTrue(output(bash(PROCESSES, 30)).contains("socat"), "the next command has a bridge again");
    assertEquals(3, sandboxes(), "a sandbox whose bridge was killed is not kept");

    ToolOutput timedOut = bash("echo waiting; sleep 30", 3);
    assertTrue(timedOut.text().startsWith("Command timed out after 3 s"), timedOut.text());
    assertTrue(timedOut.text().contains("waiting"), timedOut.text());
    assertEquals("exit code: 0\nok\n", bash("echo ok", 30).text());
    assertEquals(4, sandboxes());
    assertEquals(1, sessions().idleCount());
  }

  @Test
  void aCancelledCommandEndsWithItsSandboxAndAStoppedBridgeIsNotKept() throws Exception {
    bash("true", 30);
    int[] beats = {0};
    // Temporal tells an activity it is cancelled by throwing from its heartbeat.
    RuntimeException cancelled = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> bash("sleep 3; echo late > late.txt", 30, () -> {
          if (++beats[0] == 1) throw new IllegalStateException("cancelled");
        }));
    assertEquals("cancelled", cancelled.getMessage());
    Thread.sleep(3500);
    assertFalse(Files.exists(workspace.resolve("late.txt")), "a cancelled command must not go on writing the workspace");
    assertEquals(0, sessions().idleCount(), "its sandbox is not kept");

    bash("for p in /proc/[0-9]*; do read -r c < $p/comm; [[ $c == socat ]] && kill -STOP ${p#/proc/}; done; true", 30);
    assertEquals(0, sessions().idleCount(), "a sandbox whose bridge was stopped is not kept");
    assertEquals(2, sandboxes());
  }

  @Test
  void scratchIsEmptiedAroundMountsWhoseNamesNeedEscapingAndNothingOutsideIsTouched() throws Exception {
    // Marathon's home under a name with a space, a tab and a backslash: mountinfo writes them as octal escapes.
    Path odd = Files.createDirectories(tmp.resolve("my mara\tthon\\x"));
    sandboxes = new Sandboxes(List.of(odd), WorkerPolicy.strict(KeyBindings.none()));
    workspace = Files.createDirectories(odd.resolve("workspaces/ks-1"));
    home = Files.createDirectories(odd.resolve("workspaces/ks-1.marathon/home"));
    Path precious = Files.writeString(odd.resolve("precious.txt"), "keep");
    Path besideWorkspace = Files.writeString(odd.resolve("workspaces/other-run.txt"), "keep");
    Files.writeString(workspace.resolve("work.txt"), "keep");
    for (int i = 0; i < 3; i++) assertEquals("exit code: 0\nwork.txt\n", bash("ls; echo x > /tmp/scratch-" + i, 30).text());
    assertEquals(1, sandboxes(), "emptying /tmp around the mounts worked: the sandbox was kept");
    assertEquals("keep", Files.readString(precious));
    assertEquals("keep", Files.readString(besideWorkspace));
    assertEquals("keep", Files.readString(workspace.resolve("work.txt")));
  }

  @Test
  void aCommandCannotReachTheCommandsAfterItThroughTheLoop() {
    // Its pipe, reached through /proc: a request of its own, and bytes in front of the next real one.
    bash("printf 'feed 0123 \\x65\\x63\\x68\\x6f\\x20forged\\n' > /proc/$PPID/fd/3", 30);
    assertEquals("exit code: 0\nreal\n", bash("echo real", 30).text());
    bash("printf 'no newline ' > /proc/$PPID/fd/3", 30);
    assertEquals("exit code: 0\nreal\n", bash("echo real", 30).text());
    assertEquals(2, sandboxes(), "each attack ended its sandbox; the next command ran in a fresh one (a process of its own, the second time)");

    // Its limits and priority, set on the loop from outside it, which later commands would inherit.
    bash("prlimit --pid $PPID --nofile=16:16; renice -n 19 -p $PPID >/dev/null", 30);
    assertEquals("exit code: 0\nfresh\n", bash("(( $(ulimit -n) > 16 )) && echo fresh", 30).text());
    assertEquals(4, sandboxes());

    // kill 0 ends the command's own process group, not the loop's: exit 143, and the sandbox is kept.
    assertEquals("exit code: 143\nhi\n", bash("trap 'kill 0' EXIT; sleep 5 & echo hi", 30).text());
    // A command that dies of SIGINT, or stops itself: its exit code, and the sandbox goes on.
    assertEquals("exit code: 130\n", bash("kill -INT $$", 30).text());
    assertEquals("exit code: 147\n", bash("kill -STOP $$", 30).text());
    // Scratch a command left read-only is emptied all the same.
    bash("mkdir -p /tmp/ro/sub && touch /tmp/ro/sub/f && chmod -R a-w /tmp/ro", 30);
    assertEquals("exit code: 0\n", bash("ls -A /tmp/ro 2>/dev/null; ls -A /tmp | grep -v '^" + tmpMounts().strip() + "$' || true", 30).text());
    assertEquals("exit code: 0\nok\n", bash("echo ok", 30).text());
    assertEquals(4, sandboxes());

    // A stopped loop ends the sandbox at once, not at the command's deadline.
    ToolOutput stoppedLoop = bash("kill -STOP $PPID; sleep 1; echo done", 20);
    assertTrue(stoppedLoop.text().contains("the command ended the sandbox it ran in"), stoppedLoop.text());
    assertEquals("exit code: 0\nok\n", bash("echo ok", 30).text());
    assertEquals(5, sandboxes());
  }

  @Test
  void aWorkspaceMadeAnewIsSeenByTheNextCommand() throws Exception {
    Files.writeString(workspace.resolve("old.txt"), "old");
    assertEquals("old.txt\n", output(bash("ls", 30)));
    dev.marathon.activities.FileTrees.delete(workspace);
    Files.createDirectories(workspace);
    Files.writeString(workspace.resolve("new.txt"), "new");
    assertEquals("new.txt\n", output(bash("ls", 30)), "a kept sandbox would still show the deleted directory");
    assertEquals(2, sandboxes());
  }
}
