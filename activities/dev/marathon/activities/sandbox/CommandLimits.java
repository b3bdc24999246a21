package dev.marathon.activities.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Limits on one command that hold for root too: the command runs in a cgroup of its own with at
 * most {@link #MAX_PROCESSES} processes and {@link #memoryBytes()} of memory. RLIMIT_NPROC does
 * not bind root, and a fork bomb run as root used to take every PID of the machine: the worker
 * could then start no thread, its heartbeats stopped, the step was retried (the bomb with it) and
 * its gRPC channel never recovered. In a cgroup the bomb meets its own ceiling and the worker
 * goes on. cgroup v2 where this process may create cgroups with the pids and memory controllers,
 * else the v1 pids and memory hierarchies; where neither can be written, {@link #none} says so.
 */
public final class CommandLimits {
  /** The most processes (threads included) one command may have at once. */
  public static final int MAX_PROCESSES = 4096;
  private static final Path CGROUPS = Path.of("/sys/fs/cgroup");

  /** Where Marathon makes commands' cgroups, one directory per controller hierarchy (one for v2). */
  private final List<Path> parents;
  private final boolean v2;
  private final long memoryBytes;
  private final String unavailable;

  private CommandLimits(List<Path> parents, boolean v2, long memoryBytes, String unavailable) {
    this.parents = parents;
    this.v2 = v2;
    this.memoryBytes = memoryBytes;
    this.unavailable = unavailable;
  }

  /** No limits (a machine where this process may not create cgroups), and why. */
  public static CommandLimits none(String why) {
    return new CommandLimits(List.of(), false, 0, why);
  }

  /** The limits this machine allows: tried once, when the worker starts. */
  public static CommandLimits detect() {
    long memory = Math.min(8L << 30, Math.max(1L << 30, physicalMemory() / 2));
    String tag = "marathon-commands";
    try {
      Path unified = CGROUPS.resolve("cgroup.controllers");
      if (Files.isRegularFile(unified)) {
        String controllers = Files.readString(unified);
        if (controllers.contains("pids") && controllers.contains("memory")) {
          Path parent = Files.createDirectories(CGROUPS.resolve(tag));
          enable(CGROUPS.resolve("cgroup.subtree_control"));
          enable(parent.resolve("cgroup.subtree_control"));
          if (Files.exists(parent.resolve("pids.max")) || Files.readString(parent.resolve("cgroup.subtree_control")).contains("pids")) {
            return new CommandLimits(List.of(parent), true, memory, null);
          }
        }
      }
      Path pids = CGROUPS.resolve("pids");
      Path mem = CGROUPS.resolve("memory");
      if (Files.isRegularFile(pids.resolve("cgroup.procs")) && Files.isRegularFile(mem.resolve("cgroup.procs"))) {
        // Under the worker's own cgroups: commands stay inside whatever limits the worker's container or unit has.
        return new CommandLimits(List.of(Files.createDirectories(within(pids, "pids").resolve(tag)),
            Files.createDirectories(within(mem, "memory").resolve(tag))), false, memory, null);
      }
      return none("no cgroup hierarchy with the pids and memory controllers is mounted");
    } catch (IOException | RuntimeException e) {
      return none("cannot create cgroups here (" + e.getMessage() + ")");
    }
  }

  /** This process's cgroup in the v1 hierarchy of {@code controller}, mounted at {@code hierarchy}. */
  private static Path within(Path hierarchy, String controller) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
      String[] parts = line.split(":", 3);
      if (parts.length == 3 && List.of(parts[1].split(",")).contains(controller)) {
        Path own = hierarchy.resolve(parts[2].replaceFirst("^/+", "")).normalize();
        return own.startsWith(hierarchy) && Files.isDirectory(own) ? own : hierarchy;
      }
    }
    return hierarchy;
  }

  private static void enable(Path subtreeControl) {
    try {
      Files.writeString(subtreeControl, "+pids +memory");
    } catch (IOException alreadyOrRefused) {
      // checked by the caller: the controllers are there, or not
    }
  }

  private static long physicalMemory() {
    java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getTotalMemorySize() : 4L << 30;
  }

  public long memoryBytes() {
    return memoryBytes;
  }

  /** Null when commands are limited, else why not (for the step's record of its containment). */
  public String unavailable() {
    return unavailable;
  }

  /** What a cgroup has refused so far: processes over the limit, processes killed for memory. */
  record Limited(long processes, long memory) {
    static final Limited NEVER = new Limited(0, 0);
  }

  /** A cgroup for one command; the command joins it with {@link Cgroup#wrap}. */
  public Cgroup open() {
    if (unavailable != null) return new Cgroup(List.of());
    String name = UUID.randomUUID().toString();
    List<Path> dirs = new ArrayList<>();
    try {
      for (Path parent : parents) dirs.add(Files.createDirectory(parent.resolve(name)));
      for (Path dir : dirs) {
        if (v2) {
          Files.writeString(dir.resolve("pids.max"), Integer.toString(MAX_PROCESSES));
          Files.writeString(dir.resolve("memory.max"), Long.toString(memoryBytes));
          Files.writeString(dir.resolve("memory.swap.max"), "0");
        } else if (Files.exists(dir.resolve("pids.max"))) {
          Files.writeString(dir.resolve("pids.max"), Integer.toString(MAX_PROCESSES));
        } else {
          Files.writeString(dir.resolve("memory.limit_in_bytes"), Long.toString(memoryBytes));
        }
      }
      return new Cgroup(dirs);
    } catch (IOException | RuntimeException e) {
      new Cgroup(dirs).close();
      throw new IllegalStateException("cannot set up the command's cgroup: " + e.getMessage(), e);
    }
  }

  /** One command's cgroup: joined at start, emptied and removed when the command is done. */
  public final class Cgroup implements AutoCloseable {
    private final List<Path> dirs;

    private Cgroup(List<Path> dirs) {
      this.dirs = dirs;
    }

    /** {@code command}, preceded by joining this cgroup: its every descendant is counted and limited. */
    public List<String> wrap(List<String> command) {
      if (dirs.isEmpty()) return command;
      StringBuilder join = new StringBuilder();
      for (Path dir : dirs) join.append("echo $$ > '").append(dir.resolve("cgroup.procs")).append("' && ");
      List<String> wrapped = new ArrayList<>(List.of("sh", "-c", join + "exec \"$@\"", "sh"));
      wrapped.addAll(command);
      return wrapped;
    }

    /** Why the command was stopped short by its limits, or null. */
    public String exhausted() {
      return exhaustedSince(Limited.NEVER);
    }

    /** Why a command was stopped short by its limits since the cgroup had {@code before}, or null (a kept sandbox's cgroup outlives its commands). */
    String exhaustedSince(Limited before) {
      Limited now = limited();
      if (now.processes() > before.processes()) return "it reached its limit of " + MAX_PROCESSES + " processes";
      if (now.memory() > before.memory()) return "it reached its memory limit of " + (memoryBytes >> 20) + " MB";
      return null;
    }

    /** How often the cgroup has refused a process and killed one for memory, so far. */
    Limited limited() {
      long processes = 0;
      long memory = 0;
      for (Path dir : dirs) {
        if (v2 || Files.exists(dir.resolve("pids.events"))) processes += counter(dir.resolve("pids.events"), "max");
        memory += counter(dir.resolve(v2 ? "memory.events" : "memory.oom_control"), "oom_kill");
      }
      return new Limited(processes, memory);
    }

    /** Whether this is a real cgroup (not the stand-in of a machine without limits). */
    boolean exists() {
      return !dirs.isEmpty();
    }

    /** The processes in the cgroup now, by their process id in this worker's namespace. */
    List<Long> members() {
      return dirs.isEmpty() ? List.of() : members(dirs.get(0));
    }

    /** Kills whatever is left in the cgroup (a daemon that left its session included) and removes it. */
    @Override
    public void close() {
      killAllBut(Set.of());
      for (Path dir : dirs) {
        if (descendants(dir) > 0) removeBelow(dir);
        try {
          Files.deleteIfExists(dir);
        } catch (IOException busy) {
          // a process that outlived 50 rounds of SIGKILL: the directory stays, and is harmless
        }
      }
    }

    /** SIGKILLs every process in the cgroup but {@code keep}, for up to a second; true when only those are left. */
    boolean killAllBut(Set<Long> keep) {
      for (Path dir : dirs) {
        for (int round = 0; ; round++) {
          List<Long> others = members(dir).stream().filter(pid -> !keep.contains(pid)).toList();
          if (others.isEmpty()) break;
          if (round == 50) return false;
          for (long pid : others) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
          try {
            Thread.sleep(round == 0 ? 1 : 20);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        }
      }
      return true;
    }

    /**
     * The processes in {@code dir} and in every cgroup below it: a command can make cgroups of its
     * own there (in a user namespace of its own it may mount cgroup2 and move itself down), and a
     * process there is as much the command's as one beside the loop.
     */
    private List<Long> members(Path dir) {
      List<Long> all = new java.util.ArrayList<>();
      try {
        Files.readAllLines(dir.resolve("cgroup.procs"), StandardCharsets.UTF_8).stream()
            .filter(l -> !l.isBlank()).forEach(l -> all.add(Long.parseLong(l.strip())));
      } catch (IOException | RuntimeException gone) {
        return all;
      }
      if (descendants(dir) > 0) for (Path below : children(dir)) all.addAll(members(below));
      return all;
    }

    /** How many cgroups there are below this one (made by a command: Marathon makes none). */
    long descendants() {
      return dirs.isEmpty() ? 0 : descendants(dirs.get(0));
    }

    private long descendants(Path dir) {
      // On v1 a command's own cgroup2 is another hierarchy: its processes stay in these, and v1 has no cgroup.stat.
      return v2 ? counter(dir.resolve("cgroup.stat"), "nr_descendants") : 0;
    }

    private static List<Path> children(Path dir) {
      try (java.util.stream.Stream<Path> entries = Files.list(dir)) {
        return entries.filter(p -> Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList();
      } catch (IOException gone) {
        return List.of();
      }
    }

    /** Removes the cgroups below {@code dir}, deepest first (they are empty once their processes are killed). */
    private static void removeBelow(Path dir) {
      for (Path below : children(dir)) {
        removeBelow(below);
        try {
          Files.deleteIfExists(below);
        } catch (IOException busy) {
          // a process that outlived the kill: the directory stays, and is harmless
        }
      }
    }

    private long counter(Path file, String key) {
      try {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          String[] kv = line.strip().split("\\s+");
          if (key == null && kv.length == 1) return Long.parseLong(kv[0]);
          if (kv.length == 2 && kv[0].equals(key)) return Long.parseLong(kv[1]);
        }
      } catch (IOException | RuntimeException unreadable) {
        // no such counter here
      }
      return 0;
    }
  }
}
