package dev.marathon.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Real git repositories for tests. */
public final class GitRepos {

  /** A repository at {@code dir} with {@code files} committed on {@code main}. */
  public static Path create(Path dir, Map<String, String> files) throws IOException {
    Files.createDirectories(dir);
    git(dir, "init", "-q", "-b", "main");
    git(dir, "config", "user.name", "Test User");
    git(dir, "config", "user.email", "test@example.com");
    for (Map.Entry<String, String> f : files.entrySet()) {
      Path p = dir.resolve(f.getKey());
      Files.createDirectories(p.getParent());
      Files.writeString(p, f.getValue());
    }
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "initial");
    return dir;
  }

  /** Runs git and returns trimmed stdout; fails the test on a non-zero exit. */
  public static String git(Path dir, String... args) {
    List<String> cmd = new ArrayList<>(List.of("git", "-C", dir.toString()));
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new AssertionError("git " + String.join(" ", args) + " failed: " + out);
      }
      return out.strip();
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Runs git with {@code GIT_INDEX_FILE=index}; returns trimmed stdout. */
  public static String gitWithIndex(Path dir, Path index, String... args) {
    List<String> cmd = new ArrayList<>(List.of("git", "-C", dir.toString()));
    cmd.addAll(List.of(args));
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.environment().put("GIT_INDEX_FILE", index.toString());
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new AssertionError("git " + String.join(" ", args) + " failed: " + out);
      return out.strip();
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** A fingerprint of a checkout: HEAD, branch, index and working files (for "never touched"). */
  public static String fingerprint(Path dir) {
    return git(dir, "rev-parse", "HEAD") + "|" + git(dir, "symbolic-ref", "HEAD") + "|" + git(dir, "status", "--porcelain", "--untracked-files=all")
        + "|" + git(dir, "diff") + "|" + git(dir, "ls-files", "-s");
  }

  private GitRepos() {}
}
