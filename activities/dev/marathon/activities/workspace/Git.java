package dev.marathon.activities.workspace;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs git (or a short sh script of git commands) and returns its output, or says what failed.
 * The one place Marathon starts git: workspaces, file tools and the CLI's repository checks.
 */
public final class Git {
  /** Identity for Marathon's own commits when the repository has none configured. */
  static final Map<String, String> IDENTITY = Map.of(
      "GIT_AUTHOR_NAME", "Marathon", "GIT_AUTHOR_EMAIL", "marathon@localhost",
      "GIT_COMMITTER_NAME", "Marathon", "GIT_COMMITTER_EMAIL", "marathon@localhost");

  /** What a git command did. */
  public record Result(int exit, String out, String err) {
    public boolean ok() {
      return exit == 0;
    }
  }

  /** Runs {@code git args} in {@code dir} and returns what it did, failed or not. */
  public static Result git(Path dir, String... args) {
    return exec(dir, Map.of(), gitCommand(args));
  }

  /** Runs {@code git args} in {@code dir}; throws unless it exits 0. Returns trimmed stdout. */
  static String run(Path dir, Map<String, String> env, String... args) {
    Result r = exec(dir, env, gitCommand(args));
    if (!r.ok()) {
      throw new WorkspaceException("git " + String.join(" ", args) + " failed in " + dir + ": " + r.err().strip(), false);
    }
    return r.out().strip();
  }

  /** Runs an sh script with positional {@code args}; throws unless it exits 0. */
  static String sh(Path dir, Map<String, String> env, String script, String... args) {
    List<String> command = new ArrayList<>(List.of("sh", "-c", script, "sh"));
    command.addAll(List.of(args));
    Result r = exec(dir, env, command);
    if (!r.ok()) throw new WorkspaceException("git failed in " + dir + ": " + r.err().strip(), false);
    return r.out();
  }

  static Result exec(Path dir, Map<String, String> env, List<String> command) {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    pb.environment().putAll(env);
    pb.environment().put("GIT_TERMINAL_PROMPT", "0");
    pb.environment().remove("GIT_DIR");
    pb.environment().remove("GIT_WORK_TREE");
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    try {
      Process p = pb.start();
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
      String out = read(p.getInputStream());
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new WorkspaceException(String.join(" ", command) + " did not finish within 10 minutes", false);
      }
      return new Result(p.exitValue(), out, err.join());
    } catch (IOException e) {
      throw new WorkspaceException("cannot run git (is it installed?): " + e.getMessage(), true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WorkspaceException("interrupted while running git", false);
    }
  }

  private static List<String> gitCommand(String... args) {
    List<String> command = new ArrayList<>(List.of("git"));
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
