package dev.marathon.activities.sandbox;

import dev.marathon.activities.FileTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command in bubblewrap: a new user namespace with every capability dropped, its own PID,
 * IPC, UTS and network namespaces (it sees no process of the worker or of other runs, every
 * process it starts ends with it, and it reaches no service of this machine), the root filesystem
 * read-only, the workspace and the run's home writable, a private /tmp, and nothing of Marathon's
 * own directories (the checkpoint store, other runs' workspaces, logs, the Temporal database), of
 * the user's home (keys in dotfiles, shell history, credentials; dependency caches and tools on
 * PATH come back read-only), or of /run (the sockets of session buses, Docker, agents). With the
 * network on, a socat bridge inside the namespace is the command's only way out, to Marathon's
 * egress proxy; {@code --network open} shares the worker's network instead. bwrap itself starts
 * with a fixed PATH only, so even /proc/1/environ of the sandbox holds nothing else.
 */
public final class Bubblewrap implements CommandSandbox {
  /** The only variable the processes that start the sandbox (setsid, prlimit, bwrap) get. */
  static final String HOST_PATH = "/usr/bin:/bin:/usr/sbin:/sbin";
  /** Where the egress proxy's socket appears inside the sandbox. */
  static final String EGRESS_SOCKET = "/run/marathon/egress.sock";
  /** Dependency caches in the user's home, read-only in the sandbox: a build reads what the user already has. */
  static final List<String> CACHES = List.of(".m2/repository", ".cache/pip", ".npm/_cacache", ".cargo/registry", ".rustup", "go/pkg/mod",
      ".gradle/caches", ".gradle/wrapper");
  /** Tool installations in the user's home that a PATH entry inside them needs whole (shims, versions). */
  static final List<String> TOOL_ROOTS = List.of(".pyenv", ".nvm", ".sdkman", ".rbenv", ".rustup", ".volta", ".bun", ".deno", "go");
  /** Variables naming tool installations; those inside the user's home come back read-only. */
  static final List<String> TOOL_VARIABLES = List.of("JAVA_HOME", "MAVEN_HOME", "GRADLE_HOME", "GOROOT", "PYENV_ROOT", "NVM_DIR", "RUSTUP_HOME",
      "VIRTUAL_ENV");
  /** The most processes a command may have where RLIMIT_NPROC binds (non-root); {@link CommandLimits} holds for root too. */
  static final int MAX_PROCESSES = CommandLimits.MAX_PROCESSES;

  private final Path bwrap;
  private final Path socat;
  private final List<Path> hidden;
  private final Path userHome;
  private final SandboxSessions sessions = new SandboxSessions();

  /**
   * @param socat the bridge to the egress proxy, or null where it is not installed (then only
   *     {@code --network off} and {@code open} runs can be sandboxed)
   * @param hidden Marathon's directories (its home, the checkpoint store, the workspaces), hidden
   *     whole; the workspace and the run's home are put back inside them
   */
  public Bubblewrap(Path bwrap, Path socat, List<Path> hidden, Path userHome) {
    this.bwrap = bwrap;
    this.socat = socat;
    this.hidden = List.copyOf(hidden);
    this.userHome = userHome;
  }

  /** {@code name} on this machine's PATH, or null. */
  public static Path find(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) return p;
    }
    return null;
  }

  /** Null when this sandbox can give commands {@code network}, else why not. */
  public String problem(Network network) {
    return network.mode() == Network.Mode.PROXIED && socat == null
        ? "socat is not installed (apt-get install socat): it bridges a command's network to Marathon's egress proxy" : null;
  }

  @Override
  public ProcessBuilder process(String command, Path workspace, Path home, List<Path> readable, Map<String, String> env, Network network) {
    Map<String, String> environment = new LinkedHashMap<>(env);
    boolean proxied = network.mode() == Network.Mode.PROXIED;
    JvmBuilds.configure(environment, home, proxied);
    JvmBuilds.mavenSettings(home, hidesHome() ? userHome : null, proxied);
    Path goDownloads = hidesHome() ? userHome.resolve("go/pkg/mod/cache/download") : null;
    if (goDownloads != null && Files.isDirectory(goDownloads, LinkOption.NOFOLLOW_LINKS) && !environment.containsKey("GOPROXY")) {
      // The user's Go module cache, read-only, is a module proxy of its own: what the user has is copied, not downloaded.
      environment.put("GOPROXY", goDownloads.toUri() + ",https://proxy.golang.org");
    }
    if (proxied) {
      String proxy = "http://127.0.0.1:" + Network.PROXY_PORT;
      for (String name : List.of("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")) environment.put(name, proxy);
      for (String name : List.of("no_proxy", "NO_PROXY")) environment.put(name, "localhost,127.0.0.1,::1");
    }
    List<String> a = new ArrayList<>(List.of("setsid", "prlimit", "--nproc=" + MAX_PROCESSES, "--", bwrap.toString(),
        "--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
        "--die-with-parent", "--new-session", "--cap-drop", "ALL"));
    if (network.mode() != Network.Mode.OPEN) a.add("--unshare-net");
    a.addAll(List.of("--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
        "--tmpfs", "/tmp", "--tmpfs", "/var/tmp", "--tmpfs", "/dev/shm", "--tmpfs", "/run"));
    if (Files.isDirectory(Path.of("/var/run"), LinkOption.NOFOLLOW_LINKS)) a.addAll(List.of("--tmpfs", "/var/run"));
    resolverUnderRun().ifPresent(r -> a.addAll(List.of("--ro-bind", r.toString(), r.toString())));
    // Every home, not only the worker user's: as root (a container, sudo) the others' are readable too.
    for (Path h : homes()) a.addAll(List.of("--tmpfs", h.toString()));
    if (hidesHome()) for (Path keep : fromUserHome(environment)) a.addAll(List.of("--ro-bind", keep.toString(), keep.toString()));
    for (Path secret : rootSecrets()) a.addAll(List.of("--ro-bind", "/dev/null", secret.toString()));
    for (Path h : hidden) if (Files.isDirectory(h)) a.addAll(List.of("--tmpfs", h.toString()));
    for (Path r : readable) if (Files.isDirectory(r)) a.addAll(List.of("--ro-bind", r.toString(), r.toString()));
    a.addAll(List.of("--bind", workspace.toString(), workspace.toString(), "--bind", home.toString(), home.toString()));
    if (proxied) a.addAll(List.of("--ro-bind", network.egressSocket().toString(), EGRESS_SOCKET, "--ro-bind", socat.toString(), socat.toString()));
    a.addAll(List.of("--chdir", workspace.toString(), "--clearenv"));
    environment.forEach((k, v) -> a.addAll(List.of("--setenv", k, v)));
    if (proxied) {
      // The bridge first, then the command once the bridge listens: bash's own connect to it (a
      // connection that sends nothing, which the proxy closes), tried until it succeeds. Builtins
      // only: a process per check (grep, sleep) cost ~20 ms a command, and scanning /proc/net/tcp
      // instead took the CPU socat needed to start (+9.5 ms a command, against +5 ms).
      // nodelay: a reply's small writes go out at once, not after the client's delayed acknowledgement.
      String probe = "/dev/tcp/127.0.0.1/" + Network.PROXY_PORT;
      a.addAll(List.of("--", "bash", "-c", socat + " TCP-LISTEN:" + Network.PROXY_PORT + ",bind=127.0.0.1,fork,reuseaddr,nodelay UNIX-CONNECT:"
          + EGRESS_SOCKET + " 2>/dev/null & n=0; until : 2>/dev/null 3<>" + probe + "; do ((++n > 50000)) && break; done;"
          + " exec bash -c \"$1\"", "marathon-egress-bridge", command));
    } else {
      a.addAll(List.of("--", "bash", "-c", command));
    }
    ProcessBuilder pb = new ProcessBuilder(a).directory(workspace.toFile());
    // setsid and prlimit run outside the sandbox, in the workspace: with the command's PATH or
    // LD_PRELOAD (which a run's input or its repository can set) they would run the workspace's
    // files on the host. They get a fixed PATH and nothing else; the command gets its own through --setenv.
    pb.environment().clear();
    pb.environment().put("PATH", HOST_PATH);
    return pb;
  }

  @Override
  public SandboxSessions sessions() {
    return sessions;
  }

  @Override
  public String describe(Network network) {
    return "bubblewrap sandbox, " + network.describe();
  }

  /** Password hashes and the worker's own TLS key: files only root can read, which a root worker's commands could. */
  static final List<String> ROOT_SECRETS = List.of("/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-", "/etc/sudoers");

  /** The homes hidden from commands: the worker user's, /root and /home, those that are directories. */
  private List<Path> homes() {
    java.util.Set<Path> homes = new java.util.LinkedHashSet<>();
    if (hidesHome()) homes.add(userHome);
    for (String h : List.of("/root", "/home")) homes.add(Path.of(h));
    return homes.stream().filter(h -> Files.isDirectory(h, LinkOption.NOFOLLOW_LINKS))
        .filter(h -> homes.stream().noneMatch(o -> !o.equals(h) && h.startsWith(o))).toList();
  }

  private static List<Path> rootSecrets() {
    List<Path> files = new ArrayList<>();
    for (String f : ROOT_SECRETS) files.add(Path.of(f));
    String tlsKey = System.getenv("TEMPORAL_TLS_KEY");
    if (tlsKey != null && tlsKey.startsWith("/")) files.add(Path.of(tlsKey));
    return files.stream().filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).toList();
  }

  /** Whether the user's home is hidden: a real home, not the root directory. */
  private boolean hidesHome() {
    return userHome != null && userHome.getNameCount() > 0 && Files.isDirectory(userHome);
  }

  /** What comes back, read-only, from the hidden home: dependency caches, and the tools on PATH that live there. */
  private List<Path> fromUserHome(Map<String, String> env) {
    java.util.Set<Path> keep = new java.util.LinkedHashSet<>();
    for (String cache : CACHES) keep.add(userHome.resolve(cache));
    List<String> dirs = new ArrayList<>(List.of(env.getOrDefault("PATH", "").split(":")));
    for (String v : TOOL_VARIABLES) if (env.get(v) != null) dirs.add(env.get(v));
    for (String dir : dirs) {
      if (dir.isBlank() || !dir.startsWith("/")) continue;
      Path p = Path.of(dir).normalize();
      if (!p.startsWith(userHome) || p.equals(userHome)) continue;
      Path top = userHome.resolve(userHome.relativize(p).getName(0));
      keep.add(TOOL_ROOTS.contains(top.getFileName().toString()) ? top : p);
    }
    return keep.stream().filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).toList();
  }

  /** /etc/resolv.conf when it is a link into /run (systemd-resolved): its target comes back, read-only. */
  private static java.util.Optional<Path> resolverUnderRun() {
    try {
      Path real = Path.of("/etc/resolv.conf").toRealPath();
      return real.startsWith("/run") ? java.util.Optional.of(real) : java.util.Optional.empty();
    } catch (IOException | RuntimeException none) {
      return java.util.Optional.empty();
    }
  }

  /**
   * Whether bubblewrap works here, as a command would use it: null when it does, else why not
   * (bwrap missing, user namespaces off, a container's seccomp profile refusing them).
   */
  public String problem() {
    try {
      Path probe = Files.createTempDirectory("marathon-sandbox-probe");
      try {
        Process p = process("true", probe, probe, List.of(), Map.of("PATH", "/usr/bin:/bin"), Network.off()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          return "bwrap did not finish a trivial command within 15 s";
        }
        return p.exitValue() == 0 ? null : "bwrap failed (exit " + p.exitValue() + "): " + out;
      } finally {
        FileTrees.delete(probe);
      }
    } catch (IOException e) {
      return "cannot run bwrap: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while trying bwrap";
    }
  }
}
