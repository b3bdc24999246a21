package dev.marathon.bench;

import dev.marathon.activities.Json;
import dev.marathon.activities.policy.KeyBindings;
import dev.marathon.activities.policy.WorkerPolicy;
import dev.marathon.activities.sandbox.CommandEnvironment;
import dev.marathon.activities.sandbox.CommandLimits;
import dev.marathon.activities.sandbox.CommandSandbox;
import dev.marathon.activities.sandbox.Network;
import dev.marathon.activities.sandbox.Sandboxes;
import dev.marathon.activities.tools.Arguments;
import dev.marathon.activities.tools.BashTool;
import dev.marathon.activities.tools.ToolContext;
import dev.marathon.activities.tools.ToolOutput;
import dev.marathon.workflows.Containment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What containing one bash command costs: the agent's {@code bash} tool ({@link BashTool}, as the
 * tool activity runs it: cgroup, process start, wait, process-group kill) timed around {@code echo
 * hi} in each way a command can run — unsandboxed or in bubblewrap, with or without the
 * per-command cgroup limits, with the network off, through the egress proxy (a namespace of its
 * own plus a socat bridge started and waited for) or open, each in a sandbox started for it; then
 * the default, the run's kept sandbox ({@code SandboxSession}), where none of that is started again —
 * and one real registry request through the proxy next to the same request unsandboxed. All
 * modes in one invocation and interleaved call by call, so a busy machine slows them alike and
 * the differences stand side by side. No Temporal server. A mode this machine cannot run (no
 * bubblewrap, no socat, no cgroups) is printed as UNAVAILABLE, loudly, and the exit status is 1.
 * {@code scripts/bench --sandbox [--calls 50]} runs it.
 */
public final class SandboxBenchmark {
  static final int WARMUP = 5;
  static final int CURL_WARMUP = 1;
  static final String ECHO = "echo hi";
  static final String CURL = "curl -sS -o /dev/null https://repo.maven.apache.org/maven2/junit/junit/maven-metadata.xml";

  /** One way a command can run; {@code unavailable} says why it cannot here, {@code note} what it lacks but still ran without. */
  static final class Mode {
    final String label;
    final ToolContext context;
    final String command;
    String unavailable;
    String note;
    final List<Double> ms = new ArrayList<>();

    Mode(String label, ToolContext context, String command, String unavailable) {
      this.label = label;
      this.context = context;
      this.command = command;
      this.unavailable = unavailable;
    }

    double median() {
      return percentile(ms, 0.5);
    }

    double p90() {
      return percentile(ms, 0.9);
    }

    boolean measured() {
      return unavailable == null && !ms.isEmpty();
    }
  }

  public static void main(String[] args) throws Exception {
    int calls = 50;
    int curlCalls = 10;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--sandbox")) continue;
      if (args[i].equals("--calls")) calls = Integer.parseInt(args[++i]);
      else if (args[i].equals("--curl-calls")) curlCalls = Integer.parseInt(args[++i]);
      else throw new IllegalArgumentException("usage: SandboxBenchmark --sandbox [--calls N] [--curl-calls N]");
    }
    Path dir = Files.createTempDirectory("marathon-sandbox-bench");
    int status;
    try {
      status = run(dir, calls, curlCalls);
    } finally {
      delete(dir);
    }
    System.exit(status); // 1 when a mode could not be measured; the shutdown hook closes the egress proxy
  }

  static int run(Path dir, int calls, int curlCalls) throws Exception {
    Path marathon = dir.resolve("marathon"); // hidden from sandboxed commands, as Marathon's home is
    Path workspace = Files.createDirectories(marathon.resolve("workspaces/bench"));
    Path home = Files.createDirectories(marathon.resolve("workspaces/bench.marathon/home"));
    // A worker whose operator allows every containment, so that each mode can be built.
    Sandboxes sandboxes = new Sandboxes(List.of(marathon), new WorkerPolicy(true, true, true, Set.of(), KeyBindings.none()));
    CommandLimits limits = sandboxes.limits();
    CommandLimits noLimits = CommandLimits.none("not in this mode");
    String bwrapProblem = sandboxes.problem();
    Map<String, String> env = CommandEnvironment.of(System.getenv(), List.of(), Set.of(), home.toString(), Map.of());
    Map<String, String> noProxyEnv = new LinkedHashMap<>(env);
    noProxyEnv.keySet().removeIf(k -> k.toLowerCase(Locale.ROOT).endsWith("_proxy"));

    Containment unsandboxed = new Containment(false, true, List.of());
    Containment off = new Containment(true, false, List.of());
    Containment open = new Containment(true, true, List.of(), true, List.of());
    Containment proxied = Containment.DEFAULT;

    // Rows 3-6 start a sandbox for each command, as every command did before kept sandboxes; row 7 is the default.
    List<Mode> rows = List.of(
        mode("unsandboxed, no cgroup limits (the floor)", sandboxes, unsandboxed, noLimits, workspace, home, env, ECHO, true),
        mode("unsandboxed, cgroup limits", sandboxes, unsandboxed, limits, workspace, home, env, ECHO, true),
        mode("fresh bubblewrap, network off, no limits", sandboxes, off, noLimits, workspace, home, env, ECHO, true),
        mode("fresh bubblewrap, network off, limits", sandboxes, off, limits, workspace, home, env, ECHO, true),
        mode("fresh bubblewrap, egress proxy, limits", sandboxes, proxied, limits, workspace, home, env, ECHO, true),
        mode("fresh bubblewrap, network open, limits", sandboxes, open, limits, workspace, home, env, ECHO, true),
        mode("kept bubblewrap, egress proxy, limits (default)", sandboxes, proxied, limits, workspace, home, env, ECHO, false));
    Mode curlBare = mode("curl: unsandboxed, no proxy, no limits", sandboxes, unsandboxed, noLimits, workspace, home, noProxyEnv, CURL, true);
    Mode curlDefault = mode("curl: default sandbox (kept, proxy, limits)", sandboxes, proxied, limits, workspace, home, env, CURL, false);
    if (limits.unavailable() != null) {
      for (Mode m : List.of(rows.get(1), rows.get(3), rows.get(4), rows.get(5), rows.get(6), curlDefault)) {
        if (m.unavailable == null) m.note = "RAN WITHOUT LIMITS";
      }
    }

    List<String> warnings = new ArrayList<>();
    if (bwrapProblem != null) {
      warnings.add("bubblewrap is UNAVAILABLE on this machine: " + bwrapProblem + ". Rows 3-7 and 8b were NOT measured.");
    }
    if (limits.unavailable() != null) {
      warnings.add("cgroup limits are UNAVAILABLE on this machine: " + limits.unavailable()
          + ". Rows 2, 4-7 and 8b ran WITHOUT them (and row 7 with a fresh sandbox per command): the limits' cost is NOT measured.");
    }
    for (Mode m : concat(rows, curlDefault)) {
      if (m.unavailable != null && bwrapProblem == null) warnings.add("'" + m.label + "' is UNAVAILABLE: " + m.unavailable);
    }

    System.out.printf(Locale.ROOT, "%nSandbox cost per bash call — %s, %d cores, load %s%n",
        LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")), Runtime.getRuntime().availableProcessors(), loadAverage());
    System.out.printf(Locale.ROOT, "cgroup limits: %s%n", limits.unavailable() == null
        ? CommandLimits.MAX_PROCESSES + " processes, " + (limits.memoryBytes() >> 20) + " MB, one cgroup per command" : "NONE (" + limits.unavailable() + ")");
    System.out.printf(Locale.ROOT, "bubblewrap: %s%n", bwrapProblem == null ? "works" : "UNAVAILABLE (" + bwrapProblem + ")");
    shout(warnings);

    // Rows 1-7: `echo hi`, WARMUP rounds not counted, then `calls` rounds; each round runs every mode once, starting one further on.
    measure(rows, WARMUP, calls);
    // Row 8: one real request, fewer calls (it reaches a public registry).
    measure(List.of(curlBare, curlDefault), CURL_WARMUP, curlCalls);
    for (Mode m : concat(concat(rows, curlBare), curlDefault)) {
      if (m.unavailable != null && m.unavailable.startsWith("FAILED")) warnings.add("'" + m.label + "' " + m.unavailable);
    }

    Mode floor = rows.get(0);
    Mode bwrapFloor = rows.get(2);
    System.out.printf(Locale.ROOT, "%n`%s` through the bash tool: median and p90 of %d calls per mode after %d warm-up calls, modes interleaved%n",
        ECHO, calls, WARMUP);
    String header = String.format(Locale.ROOT, "%-3s %-48s %10s %9s %11s %11s", "#", "mode", "median ms", "p90 ms", "vs row 1", "vs row 3");
    System.out.println(header);
    System.out.println("-".repeat(header.length()));
    for (int i = 0; i < rows.size(); i++) {
      Mode m = rows.get(i);
      if (!m.measured()) {
        System.out.printf(Locale.ROOT, "%-3d %-46s   UNAVAILABLE: %s%n", i + 1, m.label, m.unavailable);
        continue;
      }
      System.out.printf(Locale.ROOT, "%-3d %-48s %10.1f %9.1f %11s %11s%s%n", i + 1, m.label, m.median(), m.p90(),
          delta(m, floor), delta(m, bwrapFloor), m.note == null ? "" : "   !! " + m.note);
    }

    System.out.printf(Locale.ROOT, "%nOne real request: `%s`, median and p90 of %d calls each after %d warm-up, interleaved%n",
        CURL, curlCalls, CURL_WARMUP);
    String header8 = String.format(Locale.ROOT, "%-3s %-46s %10s %9s %11s", "#", "mode", "median ms", "p90 ms", "vs row 8a");
    System.out.println(header8);
    System.out.println("-".repeat(header8.length()));
    String[] ids = {"8a", "8b"};
    List<Mode> curls = List.of(curlBare, curlDefault);
    for (int i = 0; i < 2; i++) {
      Mode m = curls.get(i);
      if (!m.measured()) {
        System.out.printf(Locale.ROOT, "%-3s %-46s   UNAVAILABLE: %s%n", ids[i], m.label, m.unavailable);
        continue;
      }
      System.out.printf(Locale.ROOT, "%-3s %-46s %10.1f %9.1f %11s%s%n", ids[i], m.label, m.median(), m.p90(), delta(m, curlBare),
          m.note == null ? "" : "   !! " + m.note);
    }

    System.out.println();
    System.out.println(summary(rows, curlBare, curlDefault));
    System.out.printf(Locale.ROOT, "load at the end: %s%n", loadAverage());
    shout(warnings);
    boolean complete = warnings.isEmpty() && rows.stream().allMatch(Mode::measured) && curlBare.measured() && curlDefault.measured();
    return complete ? 0 : 1;
  }

  /** @param fresh a sandbox started for each command, not the kept one */
  static Mode mode(String label, Sandboxes sandboxes, Containment containment, CommandLimits limits, Path workspace, Path home,
      Map<String, String> env, String command, boolean fresh) {
    try {
      CommandSandbox sandbox = sandboxes.forRun("bench", containment);
      if (fresh) sandbox = withoutSessions(sandbox);
      ToolContext context = new ToolContext(workspace, 60, () -> { }, sandbox, home, List.of(), env,
          sandboxes.network(containment), limits, new dev.marathon.activities.GitWorkTreeFiles());
      return new Mode(label, context, command, null);
    } catch (Sandboxes.SandboxUnavailableException e) {
      return new Mode(label, null, command, e.getMessage());
    }
  }

  /** {@code sandbox} as it is, but with each command in a sandbox of its own. */
  static CommandSandbox withoutSessions(CommandSandbox sandbox) {
    return new CommandSandbox() {
      @Override
      public ProcessBuilder process(String command, Path workspace, Path home, List<Path> readable, Map<String, String> env, Network network) {
        return sandbox.process(command, workspace, home, readable, env, network);
      }

      @Override
      public String describe(Network network) {
        return sandbox.describe(network);
      }
    };
  }

  /** Runs each available mode {@code warmup + calls} times, one of each per round, the round's first mode rotating. */
  static void measure(List<Mode> modes, int warmup, int calls) {
    BashTool bash = new BashTool();
    for (int round = 0; round < warmup + calls; round++) {
      for (int k = 0; k < modes.size(); k++) {
        Mode m = modes.get((round + k) % modes.size());
        if (m.unavailable != null) continue;
        Arguments args = Arguments.parse("bash", Json.MAPPER.createObjectNode().put("command", m.command).toString());
        long t0 = System.nanoTime();
        ToolOutput out;
        try {
          out = bash.execute(args, m.context);
        } catch (RuntimeException e) {
          m.unavailable = "FAILED: " + e.getMessage();
          continue;
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        if (!out.ok() || (m.command.equals(ECHO) && !out.text().contains("hi"))) {
          m.unavailable = "FAILED: " + out.text().strip().replace('\n', ' ');
          continue;
        }
        if (round >= warmup) m.ms.add(ms);
      }
    }
  }

  static String summary(List<Mode> rows, Mode curlBare, Mode curlDefault) {
    StringBuilder s = new StringBuilder();
    s.append("the kept sandbox next to a fresh one per command: ").append(diff(rows.get(6), rows.get(4)))
        .append(" ms per bash call (row 7 − row 5").append(rows.get(6).measured() && rows.get(4).measured()
            ? String.format(Locale.ROOT, ", %.2f×", rows.get(6).median() / rows.get(4).median()) : "").append(")\nin a fresh sandbox, ");
    s.append("network namespace + egress bridge: ").append(diff(rows.get(4), rows.get(5))).append(" ms per bash call (row 5 − row 6; namespace alone,"
        + " row 4 − row 6: ").append(diff(rows.get(3), rows.get(5))).append(" ms; bridge alone, row 5 − row 4: ")
        .append(diff(rows.get(4), rows.get(3))).append(" ms); cgroup limits: ").append(diff(rows.get(1), rows.get(0)))
        .append(" ms per bash call (row 2 − row 1; in bubblewrap, row 4 − row 3: ").append(diff(rows.get(3), rows.get(2))).append(" ms)");
    s.append("\nthe default sandbox next to the floor: ").append(diff(rows.get(6), rows.get(0))).append(" ms per bash call (row 7 − row 1")
        .append(rows.get(6).measured() && rows.get(0).measured()
            ? String.format(Locale.ROOT, ", %.1f×", rows.get(6).median() / rows.get(0).median()) : "").append(")");
    s.append("\none registry request through the egress proxy, sandboxed: ").append(diff(curlDefault, curlBare))
        .append(" ms per request next to the same curl unsandboxed and direct (row 8b − row 8a; of it, the sandbox around any command,"
            + " row 7 − row 1: ").append(diff(rows.get(6), rows.get(0))).append(" ms)");
    return s.toString();
  }

  static List<Mode> concat(List<Mode> modes, Mode one) {
    List<Mode> all = new ArrayList<>(modes);
    all.add(one);
    return all;
  }

  static String diff(Mode a, Mode b) {
    if (!a.measured() || !b.measured()) return "UNMEASURED";
    return String.format(Locale.ROOT, "%+.1f", a.median() - b.median());
  }

  static String delta(Mode m, Mode base) {
    if (!base.measured()) return "n/a";
    return String.format(Locale.ROOT, "%+.1f", m.median() - base.median());
  }

  static void shout(List<String> warnings) {
    for (String w : warnings) {
      System.out.println("!!!!!!!! " + w);
    }
  }

  /** Nearest rank. */
  static double percentile(List<Double> values, double p) {
    if (values.isEmpty()) return Double.NaN;
    List<Double> sorted = values.stream().sorted().toList();
    int rank = (int) Math.ceil(p * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  static void delete(Path dir) {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    } catch (IOException | RuntimeException e) {
      System.err.println("left behind: " + dir + " (" + e.getMessage() + ")");
    }
  }
}
