package dev.marathon.bench;

import dev.marathon.activities.workspace.Workspace;
import dev.marathon.activities.workspace.Workspaces;
import dev.marathon.testing.GitRepos;
import dev.marathon.workflows.api.WorkspaceKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a step's snapshot costs as a repository grows: repositories of 1 and N files (generated,
 * 100 files a directory, like a source tree), the workspace created on each, then 20 file-tool
 * steps (a file written, then the step's snapshot of the written path alone) and 20 bash-like
 * steps, each snapshotted twice: from what the kernel's change notifications said changed, as
 * Marathon takes it, and by a scan of the whole tree, as it did before. Prints the median per step
 * and the ratio to the 1-file repository. {@code scripts/bench --large-repo
 * [--files 90000]} runs it.
 */
public final class LargeRepoBenchmark {
  static final int STEPS = 20;

  public static void main(String[] args) throws Exception {
    int files = 90_000;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--large-repo")) continue;
      if (args[i].equals("--files")) files = Integer.parseInt(args[++i]);
      else throw new IllegalArgumentException("usage: LargeRepoBenchmark --large-repo [--files N]");
    }
    Path work = Files.createTempDirectory("marathon-large");
    System.out.printf(Locale.ROOT, "%nSnapshot cost by repository size (median of %d steps)%n", STEPS);
    System.out.printf(Locale.ROOT, "%-8s %14s %18s %18s %18s %18s%n", "files", "create ws s", "file step ms", "bash step ms", "bash, whole tree",
        "bash, read-only");
    double[] small = measure(work, 1);
    double[] large = measure(work, files);
    for (double[] r : List.of(small, large)) {
      System.out.printf(Locale.ROOT, "%-8d %14.2f %18.1f %18.1f %18.1f %18.1f%n", (long) r[0], r[1], r[2], r[3], r[4], r[9]);
    }
    System.out.printf(Locale.ROOT, "ratio %d files / 1 file: file step %.2f×, bash step %.2f×, bash step scanning the whole tree %.2f×, read-only bash step %.2f×%n",
        files, large[2] / small[2], large[3] / small[3], large[4] / small[4], large[9] / small[9]);
    System.out.printf(Locale.ROOT, "list_files/grep of one 100-file directory at %d files: %.1f ms walking it alone, %.1f ms filtering the whole listing%n",
        files, large[5], large[6]);
    System.out.printf(Locale.ROOT, "the agent's first git status at %d files: %.0f ms (1 file: %.0f ms); with an index read from HEAD alone: %.0f ms%n",
        files, large[7], small[7], large[8]);
  }

  private static double gitStatusMs(Path root) throws Exception {
    long t0 = System.nanoTime();
    git(root, "status", "--porcelain");
    return (System.nanoTime() - t0) / 1e6;
  }

  private static void git(Path root, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("git"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (p.waitFor() != 0) throw new IllegalStateException("git " + String.join(" ", args) + " failed in " + root);
  }

  /** {files, seconds to create the workspace, ms per file step (one path), ms per bash-like step, the same scanning the whole tree, ...}. */
  static double[] measure(Path work, int files) throws Exception {
    Path repo = generate(work.resolve("repo-" + files), files);
    Workspace ws = new Workspaces(work.resolve("workspaces-" + files)).get(new WorkspaceKey("large-" + files, repo.toString(), "marathon/large-" + files));
    long t0 = System.nanoTime();
    String at = ws.steps().begin().snapshot();
    double create = (System.nanoTime() - t0) / 1e9;
    // The agent's first git status: with the index Marathon gives it (stat data from its own index),
    // then with one read from HEAD alone, as before (git must hash every file to compare).
    double firstStatus = gitStatusMs(ws.root());
    git(ws.root(), "read-tree", "HEAD");
    double firstStatusWithoutStatData = gitStatusMs(ws.root());
    List<Double> onePath = new ArrayList<>();
    List<Double> bash = new ArrayList<>();
    List<Double> wholeTree = new ArrayList<>();
    List<Double> readOnly = new ArrayList<>();
    for (int i = 0; i < STEPS; i++) {
      String rel = "d0/f0-" + i + ".txt";
      Files.writeString(ws.root().resolve(rel), "step " + i + "\n");
      long s = System.nanoTime();
      at = ws.steps().snapshot(at, "write_file " + rel, rel);
      onePath.add((System.nanoTime() - s) / 1e6);

      Files.writeString(ws.root().resolve("d0/bash-" + i + ".txt"), "made by a command\n");
      s = System.nanoTime();
      at = ws.steps().snapshot(at, "bash");
      bash.add((System.nanoTime() - s) / 1e6);

      Files.writeString(ws.root().resolve("d0/bash-" + i + ".txt"), "made by a command, again\n");
      ws.steps().setupDone(); // "what changed may be anywhere": the next snapshot scans the whole tree
      s = System.nanoTime();
      at = ws.steps().snapshot(at, "bash (whole tree)");
      wholeTree.add((System.nanoTime() - s) / 1e6);

      s = System.nanoTime(); // a command that only read (ls, grep, git log): nothing changed
      at = ws.steps().snapshot(at, "bash (read-only)");
      readOnly.add((System.nanoTime() - s) / 1e6);
    }
    List<Double> dirOnly = new ArrayList<>();
    List<Double> filtered = new ArrayList<>();
    dev.marathon.activities.GitWorkTreeFiles listing = new dev.marathon.activities.GitWorkTreeFiles();
    String dir = "d" + Math.max(0, files / 100 - 1);
    for (int i = 0; i < 5; i++) {
      long s = System.nanoTime();
      listing.under(ws.root(), dir);
      dirOnly.add((System.nanoTime() - s) / 1e6);
      s = System.nanoTime();
      listing.list(ws.root()).stream().filter(f -> f.startsWith(dir + "/")).toList();
      filtered.add((System.nanoTime() - s) / 1e6);
    }
    return new double[] {files, create, median(onePath), median(bash), median(wholeTree), median(dirOnly), median(filtered), firstStatus,
        firstStatusWithoutStatData, median(readOnly)};
  }

  static Path generate(Path repo, int files) throws Exception {
    Files.createDirectories(repo);
    for (int i = 0; i < files; i++) {
      Path dir = repo.resolve("d" + (i / 100));
      if (i % 100 == 0) Files.createDirectories(dir);
      Files.writeString(dir.resolve("f" + i + ".txt"), "file " + i + "\nsome content of a realistic width for a source line\n");
    }
    GitRepos.git(repo.getParent(), "init", "-q", "-b", "main", repo.toString());
    GitRepos.git(repo, "add", "-A");
    GitRepos.git(repo, "-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit", "-q", "-m", "generated");
    return repo;
  }

  static double median(List<Double> v) {
    List<Double> sorted = v.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }
}
