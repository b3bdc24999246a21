package dev.marathon.activities.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What /proc says of a process of a kept sandbox ({@link SandboxSession}): whether it is still the
 * process it was, and about to go on as one; its id inside the sandbox; what its children inherit
 * from it. Every answer is read afresh; a process that is gone reads as null or false.
 */
final class ProcessStatus {
  /**
   * SIGKILL and SIGSTOP as bits of /proc's pending masks: a process cannot catch, block or ignore
   * either, so one pending means it is about to die or stop, whatever its state says yet.
   */
  private static final long KILL_OR_STOP = 1L << (9 - 1) | 1L << (19 - 1);
  /** PF_EXITING among /proc/pid/stat's flags: the process has begun to exit. */
  private static final long EXITING = 0x4;

  private ProcessStatus() {
  }

  /**
   * Whether {@code pid} is still the process that started at {@code startTicks} and will go on:
   * not dead or exiting, not stopped (by a signal, or a tracer), and with no SIGKILL or SIGSTOP
   * waiting. The last matters because a kill returns before its target has run to act on it: on a
   * busy machine a bridge a command killed still looked alive as the command ended, and the
   * session was kept without it.
   */
  static boolean intact(long pid, String startTicks) {
    // The signals first, then the state: a signal acted on between the two reads is then seen in the state.
    if (killOrStopPending(pid)) return false;
    String[] stat = stat(pid);
    if (stat == null || !stat[19].equals(startTicks)) return false;
    char state = stat[0].charAt(0);
    return "TtZX".indexOf(state) < 0 && (Long.parseLong(stat[6]) & EXITING) == 0;
  }

  /** Whether SIGKILL or SIGSTOP was sent to {@code pid}, to it or its whole process, and not yet acted on; true when it is gone. */
  static boolean killOrStopPending(long pid) {
    String own = field(pid, "SigPnd:");
    String shared = field(pid, "ShdPnd:");
    if (own == null || shared == null) return true;
    return ((Long.parseUnsignedLong(own, 16) | Long.parseUnsignedLong(shared, 16)) & KILL_OR_STOP) != 0;
  }

  /** When {@code pid} started, in clock ticks after boot (field 22 of /proc/pid/stat), or null when it is gone. */
  static String startOf(long pid) {
    String[] stat = stat(pid);
    return stat == null ? null : stat[19];
  }

  /** {@code pid}'s id in the innermost PID namespace it is in (the last field of NSpid), or -1. */
  static long innermostPid(long pid) {
    String nspid = field(pid, "NSpid:");
    String[] fields = nspid == null ? new String[0] : nspid.split("\\s+");
    return fields.length < 2 ? -1 : Long.parseLong(fields[fields.length - 1]);
  }

  /**
   * What a command could change on {@code pid} from outside it (prlimit, renice, chrt, taskset,
   * oom_score_adj) for the commands after it: its resource limits, nice value, scheduling policy,
   * CPUs and OOM score adjustment (its I/O priority cannot be read here); null when it is gone.
   */
  static String inheritance(long pid) {
    String[] stat = stat(pid);
    String limits = read(pid, "limits");
    String oom = read(pid, "oom_score_adj");
    String cpus = field(pid, "Cpus_allowed_list:");
    if (stat == null || limits == null || oom == null || cpus == null) return null;
    return limits + "nice " + stat[16] + " policy " + stat[38] + " cpus " + cpus + " oom " + oom.strip();
  }

  /** The fields of /proc/pid/stat after the command's name ({@code [0]} is field 3, the state), or null when it is gone. */
  private static String[] stat(long pid) {
    String stat = read(pid, "stat");
    return stat == null ? null : stat.substring(stat.lastIndexOf(')') + 2).split(" ");
  }

  /** The value of a line of /proc/pid/status ({@code name} with its colon), or null. */
  private static String field(long pid, String name) {
    String status = read(pid, "status");
    if (status == null) return null;
    for (String line : status.split("\n")) if (line.startsWith(name)) return line.substring(name.length()).strip();
    return null;
  }

  /** A file of /proc/pid, or null when the process is gone. */
  private static String read(long pid, String file) {
    try {
      return Files.readString(Path.of("/proc/" + pid + "/" + file), StandardCharsets.ISO_8859_1);
    } catch (IOException | RuntimeException gone) {
      return null;
    }
  }
}
