package dev.marathon.activities.workspace;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs git for Marathon, and only the way Marathon may: it never runs code a repository carries.
 * Every call gets a minimal environment (no key, no user or system git config) and settings that
 * switch off hooks, the fsmonitor and automatic gc; and it has a deadline. Content is only ever
 * read or written through Marathon's own snapshot repository, whose config and attributes are its
 * own, so filters, textconv and line-ending rules the agent planted never run or apply.
 */
public final class Git {
  /** Identity for Marathon's own commits when the repository has none configured. */
  static final Map<String, String> IDENTITY = Map.of(
      "GIT_AUTHOR_NAME", "Marathon", "GIT_AUTHOR_EMAIL", "marathon@localhost",
      "GIT_COMMITTER_NAME", "Marathon", "GIT_COMMITTER_EMAIL", "marathon@localhost");

  /** Settings on every call that no repository's config can override: nothing to execute. */
  static final List<String> HARDENED = List.of(
      "-c", "core.hooksPath=/dev/null",
      "-c", "core.fsmonitor=false",
      "-c", "core.untrackedCache=false",
      "-c", "gc.auto=0",
      "-c", "maintenance.auto=false",
      "-c", "advice.detachedHead=false");

  /** A single git call may take this long (a checkout of a very large repository) before it is killed. */
  static final Duration DEADLINE = Duration.ofMinutes(10);

  private static final java.util.concurrent.Executor READERS = r -> {
    Thread t = new Thread(r, "git-output");
    t.setDaemon(true);
    t.start();
  };

  /** What a git command did. */
  public record Result(int exit, String out, String err) {
    public boolean ok() {
      return exit == 0;
    }
  }

  private static volatile Path emptyRepository;

  /**
   * Runs {@code git args} over {@code workTree} as an empty repository of Marathon's sees it: for
   * listing a workspace's files (untracked relative to nothing, ignored ones left out) without
   * reading anything of the agent's {@code .git}, whose index or gitfile it controls.
   */
  public static Result overWorkTree(Path workTree, String... args) {
    Path empty = emptyRepository;
    if (empty == null) {
      synchronized (Git.class) {
        if ((empty = emptyRepository) == null) {
          try {
            Path dir = java.nio.file.Files.createTempDirectory("marathon-empty-");
            Result init = call(dir, Map.of(), null, "init", "-q", "--template=", dir.toString());
            if (!init.ok()) throw new WorkspaceException("git init failed: " + init.err().strip(), false);
            empty = emptyRepository = dir.resolve(".git");
          } catch (IOException e) {
            throw new WorkspaceException("cannot make a temporary directory: " + e.getMessage(), false);
          }
        }
      }
    }
    return call(workTree, Map.of("GIT_DIR", empty.toString(), "GIT_WORK_TREE", workTree.toString()), null, args);
  }

  /** Runs {@code git args} in {@code dir} and returns what it did, failed or not. */
  public static Result git(Path dir, String... args) {
    return call(dir, Map.of(), null, args);
  }

  /**
   * Runs {@code git args} in {@code dir} with {@code env} added to the minimal environment;
   * {@code whileWaiting} (may be null) is called every second while it runs.
   */
  static Result call(Path dir, Map<String, String> env, Runnable whileWaiting, String... args) {
    return exec(dir, env, gitCommand(args), whileWaiting);
  }

  /** Runs {@code git args} in {@code dir}; throws unless it exits 0. Returns trimmed stdout. */
  static String run(Path dir, Map<String, String> env, String... args) {
    Result r = call(dir, env, null, args);
    if (!r.ok()) {
      throw new WorkspaceException("git " + String.join(" ", args) + " failed in " + dir + ": " + r.err().strip(), false);
    }
    return r.out().strip();
  }

  /**
   * Runs an sh script of git commands with positional {@code args} ({@code $1} ...). {@code git}
   * in it is the hardened git; set GIT_DIR and the like with {@code export} in a subshell, never
   * with a nested {@code sh -c} (which would not know the hardened git). Throws unless it exits 0.
   */
  static String sh(Path dir, Map<String, String> env, Runnable whileWaiting, String script, String... args) {
    List<String> command = new ArrayList<>(List.of("sh", "-c", "git() { command git " + String.join(" ", HARDENED) + " \"$@\"; }; " + script, "sh"));
    command.addAll(List.of(args));
    Result r = exec(dir, env, command, whileWaiting);
    if (!r.ok()) throw new WorkspaceException("git failed in " + dir + ": " + r.err().strip(), false);
    return r.out();
  }

  /**
   * Runs {@code git args} that talk to a run's origin (clone, fetch, push to a git URL) with the
   * worker's own git credentials: its HOME (and so its git config, credential helper and SSH keys)
   * and its SSH agent, and only file, ssh and https among git's transports. Nothing else of the
   * worker's environment, and no command of a run, gets them.
   */
  public static Result remote(Path dir, String... args) {
    return remote(dir, Map.of(), null, args);
  }

  /** {@link #remote(Path, String...)} with {@code env} added, calling {@code whileWaiting} every second. */
  static Result remote(Path dir, Map<String, String> env, Runnable whileWaiting, String... args) {
    List<String> command = new ArrayList<>(List.of("git"));
    command.addAll(HARDENED);
    command.addAll(List.of("-c", "protocol.allow=never", "-c", "protocol.file.allow=always", "-c", "protocol.ssh.allow=always",
        "-c", "protocol.https.allow=always", "-c", "credential.interactive=false",
        // A credential is for its repository's path, not the whole host; a redirect does not carry it elsewhere.
        "-c", "credential.useHttpPath=true", "-c", "http.followRedirects=false"));
    command.addAll(List.of(args));
    Map<String, String> withCredentials = new java.util.HashMap<>(env);
    for (String name : WORKER_CREDENTIALS) {
      String value = System.getenv(name);
      if (value != null) withCredentials.put(name, value);
    }
    return exec(dir, withCredentials, command, whileWaiting, true);
  }

  /** What of the worker's environment reaches git when it talks to an origin ({@link #remote}). */
  static final List<String> WORKER_CREDENTIALS = List.of("HOME", "XDG_CONFIG_HOME", "SSH_AUTH_SOCK", "GIT_SSH_COMMAND");

  /** The environment Marathon's git runs with: nothing of the worker's but PATH. */
  static void minimal(Map<String, String> env) {
    String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
    env.clear();
    env.put("PATH", path);
    env.put("HOME", "/nonexistent");
    env.put("LANG", "C");
    env.put("GIT_CONFIG_NOSYSTEM", "1");
    env.put("GIT_CONFIG_GLOBAL", "/dev/null");
    env.put("GIT_ATTR_NOSYSTEM", "1");
    env.put("GIT_TERMINAL_PROMPT", "0");
  }

  static Result exec(Path dir, Map<String, String> env, List<String> command, Runnable whileWaiting) {
    return exec(dir, env, command, whileWaiting, false);
  }

  private static Result exec(Path dir, Map<String, String> env, List<String> command, Runnable whileWaiting, boolean workerConfig) {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    minimal(pb.environment());
    if (workerConfig) {
      pb.environment().remove("GIT_CONFIG_GLOBAL"); // the worker's own config: its credential helper, url rewrites, proxy
      pb.environment().remove("GIT_CONFIG_NOSYSTEM");
    }
    pb.environment().putAll(env);
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    try {
      Process p = pb.start();
      // Each stream on a thread of its own: on the common pool (one thread on a 2-core machine) a
      // command that fills the stdout pipe while stderr is being read would wait for the deadline.
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()), READERS);
      CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()), READERS);
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (!p.waitFor(1, TimeUnit.SECONDS)) {
        if (System.nanoTime() > deadline) {
          p.descendants().forEach(ProcessHandle::destroyForcibly); // an sh script's git, which would go on holding index.lock
          p.destroyForcibly();
          throw new WorkspaceException(String.join(" ", command) + " did not finish within " + DEADLINE.toMinutes() + " minutes", false);
        }
        if (whileWaiting != null) whileWaiting.run();
      }
      return new Result(p.exitValue(), out.join(), err.join());
    } catch (IOException e) {
      throw new WorkspaceException("cannot run git (is it installed?): " + e.getMessage(), true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WorkspaceException("interrupted while running git", false);
    }
  }

  private static List<String> gitCommand(String... args) {
    List<String> command = new ArrayList<>(List.of("git"));
    command.addAll(HARDENED);
    command.addAll(List.of(args));
    return command;
  }

  private static String read(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private Git() {}
}
