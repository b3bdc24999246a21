package dev.marathon.activities.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command in bubblewrap: a new user namespace with every capability dropped, its own PID,
 * IPC and UTS namespaces (it sees no process of the worker or of other runs, and every process it
 * starts ends with it), the root filesystem read-only, the workspace and the run's home writable,
 * a private /tmp, and nothing of Marathon's own directories (the checkpoint store, other runs'
 * workspaces, logs, the Temporal database). Credential stores in the user's home are hidden.
 * {@code --network off} gives it an empty network namespace. bwrap itself starts with the
 * command's environment only, so even /proc/1/environ of the sandbox holds nothing else.
 */
public final class Bubblewrap implements CommandSandbox {
  /** In the user's home: where keys live. Directories get an empty tmpfs, files /dev/null. */
  static final List<String> CREDENTIALS = List.of(
      ".ssh", ".gnupg", ".aws", ".azure", ".config/gcloud", ".kube", ".docker", ".password-store",
      ".netrc", ".git-credentials", ".pypirc", ".npmrc", ".config/gh", ".m2/settings-security.xml");
  /** The most processes a command may have (enforced for non-root users; root relies on the step's timeout). */
  static final int MAX_PROCESSES = 4096;

  private final Path bwrap;
  private final List<Path> hidden;
  private final Path userHome;

  /**
   * @param hidden Marathon's directories (its home, the checkpoint store, the workspaces), hidden
   *     whole; the workspace and the run's home are put back inside them
   */
  public Bubblewrap(Path bwrap, List<Path> hidden, Path userHome) {
    this.bwrap = bwrap;
    this.hidden = List.copyOf(hidden);
    this.userHome = userHome;
  }

  /** bwrap on this machine's PATH, or null. */
  public static Path find() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      Path p = Path.of(dir, "bwrap");
      if (Files.isExecutable(p)) return p;
    }
    return null;
  }

  @Override
  public ProcessBuilder process(String command, Path workspace, Path home, List<Path> readable, Map<String, String> env, boolean network) {
    List<String> a = new ArrayList<>(List.of("setsid", "prlimit", "--nproc=" + MAX_PROCESSES, "--", bwrap.toString(),
        "--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
        "--die-with-parent", "--new-session", "--cap-drop", "ALL"));
    if (!network) a.add("--unshare-net");
    a.addAll(List.of("--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
        "--tmpfs", "/tmp", "--tmpfs", "/var/tmp", "--tmpfs", "/dev/shm"));
    for (Path h : hidden) if (Files.isDirectory(h)) a.addAll(List.of("--tmpfs", h.toString()));
    for (String c : CREDENTIALS) {
      Path p = userHome.resolve(c);
      if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) a.addAll(List.of("--tmpfs", p.toString()));
      else if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) a.addAll(List.of("--ro-bind", "/dev/null", p.toString()));
    }
    for (Path r : readable) if (Files.isDirectory(r)) a.addAll(List.of("--ro-bind", r.toString(), r.toString()));
    a.addAll(List.of("--bind", workspace.toString(), workspace.toString(), "--bind", home.toString(), home.toString(),
        "--chdir", workspace.toString(), "--clearenv"));
    env.forEach((k, v) -> a.addAll(List.of("--setenv", k, v)));
    a.addAll(List.of("--", "bash", "-c", command));
    ProcessBuilder pb = new ProcessBuilder(a).directory(workspace.toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    return pb;
  }

  @Override
  public String describe(boolean network) {
    return "bubblewrap sandbox, network " + (network ? "on" : "off");
  }

  /**
   * Whether bubblewrap works here, as a command would use it: null when it does, else why not
   * (bwrap missing, user namespaces off, a container's seccomp profile refusing them).
   */
  public String problem() {
    try {
      Path probe = Files.createTempDirectory("marathon-sandbox-probe");
      try {
        Process p = process("true", probe, probe, List.of(), Map.of("PATH", "/usr/bin:/bin"), false).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          return "bwrap did not finish a trivial command within 15 s";
        }
        return p.exitValue() == 0 ? null : "bwrap failed (exit " + p.exitValue() + "): " + out;
      } finally {
        Files.deleteIfExists(probe);
      }
    } catch (IOException e) {
      return "cannot run bwrap: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while trying bwrap";
    }
  }
}
