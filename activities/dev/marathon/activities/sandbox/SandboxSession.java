package dev.marathon.activities.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One sandbox kept for a run's consecutive bash commands, so that each does not start bubblewrap,
 * its namespaces and the egress bridge again: that start was most of a bash call's cost (20 ms on
 * 2 idle cores, 39 ms on busy ones, against a few for a fresh bash in the kept sandbox; {@code
 * scripts/bench --sandbox}). Inside it a small bash loop ({@link #LOOP}) runs the commands one at a
 * time, each a fresh {@code bash -c} with the sandbox's environment, in the workspace, stdin empty;
 * their output comes back framed by lines with a token made for each command ({@link CommandFraming}).
 *
 * <p>Between two commands nothing carries over that a fresh sandbox would not have. Every process
 * a command left is killed, and the session's cgroup is the authority for that, not the loop's
 * word: a process is the loop's own (bubblewrap, its init, the loop, the bridge) only if it was
 * there, with the same start time, before the first command. /tmp, /var/tmp and /dev/shm are
 * emptied before each command, but for the mounts in them. A command that times out or is cancelled, that kills the loop or
 * the bridge, or that leaves a process that will not die, ends the session; so does anything that
 * makes it unsure; so does a session that, between commands, holds any process but its own or has
 * one of them stopped. The next command then starts a fresh sandbox.
 *
 * <p>What a kept sandbox does not reset, and a fresh one did: System V IPC objects and the
 * kernel keyring of its namespaces, and files a command put in the other scratch file systems
 * (/run, the hidden homes); they last until the session ends (5 idle minutes, or any of the
 * above). Where the kernel lets a process read the memory of another of the same user (no Yama
 * ptrace restriction), a command can read the loop's secret ({@link #LOOP}) or ptrace the loop,
 * and so forge what the next commands of its own run report; it reaches nothing outside the
 * sandbox that it could not reach before, and a process it leaves running is found before the
 * next command, which then starts a fresh sandbox.
 */
public final class SandboxSession implements AutoCloseable {
  /**
   * The loop, run in the sandbox as a command would be. Requests arrive on fd 3 (the worker's
   * pipe; commands get /dev/null), one line each: the session's secret, the token, the command
   * with every byte as {@code \xHH} (printf {@code %b} turns it back, builtins only), separated by
   * spaces. The secret is the pipe's first line, read before any command exists: a command can
   * write into that pipe through /proc, and a line that does not begin with the secret (one it
   * wrote, or the worker's next request with its bytes in front) ends the loop, so the command is
   * run in a fresh sandbox instead. With job control ({@code set -m}) each command leads a process
   * group of its own, so its {@code kill 0} ends the command and not the loop; the loop's own
   * notices go nowhere. The command is waited for as a background job: a foreground one that died
   * of SIGINT would make a non-interactive shell with job control exit as if it had been
   * interrupted itself, and {@code wait} returns when the command stops, too.
   */
  static final String LOOP = """
      exec 3<&0 </dev/null 2>/dev/null
      set -m
      read -r -u 3 secret || exit 1
      read -r -a bridge < /proc/$$/task/$$/children
      # Mount points as mountinfo writes them: a space, tab, newline or backslash as \\ and three octal digits.
      mounts=(); while read -r _ _ _ _ point _; do printf -v point '%b' "${point//\\\\/\\\\0}"; mounts+=("$point"); done < /proc/self/mountinfo
      # What is in $1 and not a mount (the workspace, its home, a cache), nor holds one; into $left.
      scratch() {
        local e m holds
        for e in "$1"/*; do
          holds=; for m in "${mounts[@]}"; do [[ $m == "$e" ]] && continue 2; [[ $m == "$e"/* ]] && holds=1; done
          if [[ $holds ]]; then scratch "$e"; else left+=("$e"); fi
        done
      }
      ready="marathon-session $$"; for p in "${bridge[@]}"; do ready+=" $p"; done
      printf '%s\\n' "$ready"
      while IFS= read -r -u 3 request; do
        [[ $secret && $request == "$secret "* ]] || exit 1
        request=${request#"$secret "}
        token=${request%% *}
        left=(); shopt -s dotglob nullglob; scratch /tmp; scratch /var/tmp; scratch /dev/shm; shopt -u dotglob nullglob
        # A directory a command made read-only is made writable first (directories only, never through a link).
        if ((${#left[@]})) && ! rm -rf --one-file-system --preserve-root=all -- "${left[@]}" 2>/dev/null; then
          locked=(); for e in "${left[@]}"; do [[ -d $e && ! -L $e ]] && locked+=("$e"); done
          ((${#locked[@]})) && chmod -R u+rwx -- "${locked[@]}" 2>/dev/null
          if ! rm -rf --one-file-system --preserve-root=all -- "${left[@]}" 2>/dev/null; then printf '\\n%s unclean\\n' "$token"; continue; fi
        fi
        printf -v command '%b' "${request#* }"
        printf '\\n%s start\\n' "$token"
        (exec 3<&-; exec bash -c "$command") 2>&1 &
        wait $!
        printf '\\n%s %d\\n' "$token" "$?"
      done
      """;
  private static final SecureRandom RANDOM = new SecureRandom();
  /** How long a new sandbox may take to come up before the command starts one of its own instead. */
  private static final long READY_MILLIS = 30_000;

  private final Object key;
  private final Process process;
  private final OutputStream requests;
  private final java.util.concurrent.BlockingQueue<byte[]> outbox = new java.util.concurrent.LinkedBlockingQueue<>();
  private final java.util.concurrent.atomic.AtomicLong requestsWritten = new java.util.concurrent.atomic.AtomicLong();
  /** Requests handed to the writer; read and written by the one thread that runs the session's command. */
  private long requestsQueued;
  private Thread writer;
  private final CommandFraming framing = new CommandFraming();
  private final CommandLimits.Cgroup cgroup;
  /** What every request begins with; told the loop before any command exists. */
  private final String secret = randomHex();
  /** The loop's own processes: process id → start time (clock ticks after boot, from /proc/pid/stat). */
  private final Map<Long, String> resident = new HashMap<>();
  /** The loop's process id here, and what its commands inherit that a command could change from outside it (limits, priority). */
  private long loopPid = -1;
  private String loopInheritance;
  private volatile boolean broken;
  /** Made sure of since its last command began: only its own processes, intact, with the loop's inheritance unchanged. */
  private volatile boolean sound;
  private volatile long idleSince = System.nanoTime();

  /**
   * What one command came to: it EXITED with {@code exitCode}; it was NOT_RUN (a fresh sandbox is
   * to run it); the sandbox was GONE before it ended (it killed the loop: its exit code is
   * unknown); or it TIMED_OUT and was killed. {@code exhausted}: why its limits stopped it short, or null.
   */
  public record Outcome(Status status, int exitCode, String exhausted) {
    public enum Status { EXITED, NOT_RUN, GONE, TIMED_OUT }
  }

  private SandboxSession(Object key, Process process, CommandLimits.Cgroup cgroup) {
    this.key = key;
    this.process = process;
    this.requests = process.getOutputStream();
    this.cgroup = cgroup;
  }

  /**
   * Writes the requests into the loop's pipe, on a thread of the session's own: a loop that does
   * not read (a command broke it, or filled its pipe) must not hold a command's thread past its
   * deadline and without heartbeats. One thread for the session's life, not one per command.
   */
  private void writeRequests() {
    Thread writer = new Thread(() -> {
      try {
        while (true) {
          byte[] request = outbox.take();
          requests.write(request);
          requests.flush();
          requestsWritten.incrementAndGet();
        }
      } catch (IOException gone) {
        framing.closed(); // the sandbox is gone: the command was not run
      } catch (InterruptedException closed) {
        // the session is over
      }
    }, "sandbox-session-requests-" + process.pid());
    writer.setDaemon(true);
    writer.start();
    this.writer = writer;
  }

  /**
   * Starts {@code loop} (a sandbox's process running {@link #LOOP}) in a cgroup of its own, on
   * {@code starter}: bubblewrap ends its sandbox when the thread that started it ends
   * (--die-with-parent), and an activity's thread may end before the session does. Null when it
   * does not come up as expected; the command then runs in a process of its own.
   */
  static SandboxSession start(Object key, ProcessBuilder loop, CommandLimits limits, ExecutorService starter, Runnable heartbeat) {
    CommandLimits.Cgroup cgroup = limits.open();
    if (!cgroup.exists()) return null;
    loop.command(cgroup.wrap(loop.command()));
    loop.redirectErrorStream(true);
    SandboxSession session = null;
    boolean kept = false;
    boolean interrupted = false;
    try {
      Process process = starter.submit(loop::start).get();
      session = new SandboxSession(key, process, cgroup);
      session.requests.write((session.secret + "\n").getBytes(StandardCharsets.US_ASCII));
      session.requests.flush();
      session.readOutput();
      session.writeRequests();
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_MILLIS);
      while (!session.framing.await(1000, true) && !session.framing.isClosed() && System.nanoTime() < deadline) heartbeat.run();
      kept = session.framing.ready() != null && session.knowResidents();
      session.sound = kept;
      return kept ? session : null;
    } catch (InterruptedException e) {
      interrupted = true; // set again once the cgroup is closed: its close waits for its processes to go
      return null;
    } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.RejectedExecutionException e) {
      return null; // a sandbox that cannot start: the command's own process will say why
    } finally {
      if (!kept && session != null) session.close();
      else if (!kept) cgroup.close();
      if (interrupted) Thread.currentThread().interrupt();
    }
  }

  Object key() {
    return key;
  }

  /**
   * Whether it can take another command: alive, and nothing in it but its own processes, none of
   * them stopped (a stopped bridge would hang every connection of the next command).
   */
  boolean healthy() {
    return alive() && onlyResidents();
  }

  /**
   * Whether it can take the next command: {@link #healthy}, which after a command that ended
   * cleanly was already made sure of when that command's leftovers were killed — nothing of the
   * agent's runs in the sandbox between commands — so then it only has to be alive.
   */
  boolean readyForNext() {
    return sound ? alive() : healthy();
  }

  /** Whether it has not ended (the cheap part of {@link #healthy}, for a session just back from a command that left it sound). */
  boolean alive() {
    return !broken && process.isAlive() && !framing.isClosed();
  }

  private boolean onlyResidents() {
    List<Long> members = cgroup.members();
    return members.size() == resident.size() && residentsIntact(members) && cgroup.descendants() == 0
        && java.util.Objects.equals(ProcessStatus.inheritance(loopPid), loopInheritance);
  }

  /** Whether every one of the loop's own processes is among {@code members}, the same process as before, and going on ({@link ProcessStatus#intact}). */
  private boolean residentsIntact(List<Long> members) {
    for (Map.Entry<Long, String> r : resident.entrySet()) {
      if (!members.contains(r.getKey()) || !ProcessStatus.intact(r.getKey(), r.getValue())) return false;
    }
    return true;
  }

  long idleNanos() {
    return System.nanoTime() - idleSince;
  }

  /**
   * Runs {@code command}, its output to {@code sink}, for at most {@code seconds}; heartbeats
   * while it runs. A command that times out or is interrupted ends the session (and its processes).
   */
  public Outcome run(String command, OutputStream sink, int seconds, Runnable heartbeat) throws InterruptedException {
    boolean finished = false;
    try {
      Outcome outcome = runOnce(command, sink, seconds, heartbeat);
      finished = true;
      return outcome;
    } finally {
      if (!finished) close(); // cancelled (the heartbeat throws), interrupted, or anything else: the command must not go on
    }
  }

  private Outcome runOnce(String command, OutputStream sink, int seconds, Runnable heartbeat) throws InterruptedException {
    sound = false; // until the command is over and its leftovers are gone
    CommandLimits.Limited before = cgroup.limited();
    String token = randomHex();
    framing.expect(token, sink);
    byte[] request = (secret + " " + token + " " + escaped(command) + "\n").getBytes(StandardCharsets.US_ASCII);
    long mine = ++requestsQueued;
    outbox.add(request);
    long sent = System.nanoTime();
    long deadline = sent + TimeUnit.SECONDS.toNanos(seconds);
    while (!framing.await(1000, false)) {
      if (!ProcessStatus.intact(loopPid, resident.get(loopPid))) {
        close(); // a stopped loop would hold the command's end until its deadline: the sandbox is over
        return new Outcome(Outcome.Status.GONE, -1, cgroup.exhaustedSince(before));
      }
      if (requestsWritten.get() < mine && System.nanoTime() - sent > TimeUnit.SECONDS.toNanos(5)) {
        close(); // the loop does not take the request: a command broke it; a fresh sandbox runs this one
        return new Outcome(Outcome.Status.NOT_RUN, -1, null);
      }
      if (System.nanoTime() >= deadline) {
        String exhausted = cgroup.exhaustedSince(before);
        close();
        return new Outcome(Outcome.Status.TIMED_OUT, -1, exhausted);
      }
      heartbeat.run();
    }
    CommandFraming.End end = framing.end();
    String exhausted = cgroup.exhaustedSince(before);
    sound = end.kind() == CommandFraming.End.Kind.EXITED && killLeftovers();
    if (!sound) close();
    idleSince = System.nanoTime();
    Outcome.Status status = switch (end.kind()) {
      case EXITED -> Outcome.Status.EXITED;
      case UNCLEAN -> Outcome.Status.NOT_RUN;
      case GONE -> Outcome.Status.GONE;
    };
    return new Outcome(status, end.exitCode(), exhausted);
  }

  /** Ends the sandbox and everything in it. */
  @Override
  public void close() {
    broken = true;
    if (writer != null) writer.interrupt(); // one blocked in a write ends when the sandbox's processes are gone
    process.destroyForcibly(); // bubblewrap's init follows it (--die-with-parent), and the namespace's every process with it
    cgroup.close(); // and whatever is left is killed by its cgroup
  }

  /**
   * Kills what the last command left; false when the session cannot be trusted any more (the loop
   * or the bridge was killed or stopped, the loop's limits, priority or CPUs were changed, or the
   * command made cgroups of its own below the session's: a place to hide from the next look). Once
   * it is true nothing of the command is left to change anything: the session stays sound until
   * its next command (see {@link #readyForNext}).
   */
  private boolean killLeftovers() {
    return residentsIntact(cgroup.members()) && cgroup.killAllBut(resident.keySet()) && onlyResidents();
  }

  /**
   * The loop's own processes, before any command: bubblewrap, its init (process 1 of the sandbox),
   * and the processes the loop named in its first line (itself, the bridge), found by their ids in
   * the sandbox's namespace. Nothing else may be there but a connection the bridge is closing (its
   * check that it listens): a process nobody named (a kernel that could not list the loop's
   * children) would be killed as a leftover after the first command, so such a sandbox is not kept.
   */
  private boolean knowResidents() {
    long[] named = framing.ready();
    resident.put(process.pid(), ProcessStatus.startOf(process.pid()));
    List<Long> others = new java.util.ArrayList<>();
    for (long pid : cgroup.members()) {
      if (pid == process.pid()) continue;
      long inner = ProcessStatus.innermostPid(pid);
      boolean ours = inner == 1;
      for (long n : named) ours |= inner == n;
      if (inner == named[0]) loopPid = pid;
      if (ours) resident.put(pid, ProcessStatus.startOf(pid));
      else others.add(pid);
    }
    for (long pid : others) {
      long parent = ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(-1L);
      boolean closingProbe = resident.containsKey(parent) && named.length > 1 && ProcessStatus.innermostPid(parent) == named[1];
      if (!closingProbe && ProcessHandle.of(pid).isPresent()) return false;
    }
    loopInheritance = ProcessStatus.inheritance(loopPid);
    return resident.size() == 2 + named.length && loopInheritance != null;
  }

  private void readOutput() {
    InputStream out = process.getInputStream();
    Thread reader = new Thread(() -> {
      byte[] buffer = new byte[65536];
      try (out) {
        for (int n; (n = out.read(buffer)) > 0; ) framing.accept(buffer, 0, n);
      } catch (IOException | RuntimeException ended) {
        // the sandbox is gone, or a sink failed: either way the session is over
      } finally {
        framing.closed();
      }
    }, "sandbox-session-output-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  private static String randomHex() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /** Every byte of the command as {@code \xHH}: one line, no character the loop's read or printf would take as its own. */
  static String escaped(String command) {
    byte[] bytes = command.getBytes(StandardCharsets.UTF_8);
    StringBuilder s = new StringBuilder(bytes.length * 4);
    HexFormat hex = HexFormat.of();
    for (byte b : bytes) s.append("\\x").append(hex.toHexDigits(b));
    return s.toString();
  }
}
