package dev.marathon.bench;

import dev.marathon.activities.store.CheckpointStore;
import dev.marathon.activities.store.PostgresCheckpointStore;
import dev.marathon.activities.store.PostgresLocation;
import dev.marathon.activities.workspace.AllowedOrigins;
import dev.marathon.activities.workspace.Steps;
import dev.marathon.activities.workspace.Workspace;
import dev.marathon.activities.workspace.Workspaces;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.PostgresFixture;
import dev.marathon.workflows.api.WorkspaceKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What it costs to let a run move between machines: the same steps on a repository of 1 file and
 * of N files, with the directory store (nothing shipped) and with the PostgreSQL store (each new
 * snapshot shipped as a bundle), side by side; the bytes each step adds to the store; and how
 * long another machine takes to restore the run's last snapshot (clone of the origin, the bundles,
 * the checkout). {@code scripts/bench --shipping [--files 90000]} runs it (a private PostgreSQL).
 */
public final class ShippingBenchmark {
  static final int STEPS = 20;

  public static void main(String[] args) throws Exception {
    int files = 90_000;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--shipping")) continue;
      if (args[i].equals("--files")) files = Integer.parseInt(args[++i]);
      else throw new IllegalArgumentException("usage: ShippingBenchmark --shipping [--files N]");
    }
    Path work = Files.createTempDirectory("marathon-shipping");
    PostgresFixture pg = PostgresFixture.shared();
    System.out.printf(Locale.ROOT, "%nShipping snapshots through the PostgreSQL store (median of %d steps of each kind)%n", STEPS);
    System.out.printf(Locale.ROOT, "%-8s %-10s %14s %14s %16s %16s %18s%n",
        "files", "store", "file step ms", "bash step ms", "bytes per step", "restore else s", "first snapshot KB");
    // A warm-up of both paths (the JIT, the connections), not printed.
    Path warm = origin(work, 2);
    measure(work, warm, 2, null);
    measure(work, warm, 2, new Counting(PostgresCheckpointStore.open(PostgresLocation.parse(pg.newDatabase("warm"))), true));
    for (int n : files == 1 ? List.of(1) : List.of(1, files)) {
      Path origin = origin(work, n);
      double[] local = measure(work, origin, n, null);
      double[] shared = measure(work, origin, n, new Counting(PostgresCheckpointStore.open(PostgresLocation.parse(pg.newDatabase("ship"))), true));
      System.out.printf(Locale.ROOT, "%-8d %-10s %14.1f %14.1f %16s %16s %18s%n", n, "directory", local[0], local[1], "-", "-", "-");
      System.out.printf(Locale.ROOT, "%-8d %-10s %14.1f %14.1f %16.0f %16.2f %18.1f%n", n, "postgresql", shared[0], shared[1], shared[2], shared[3],
          shared[4] / 1024);
      System.out.printf(Locale.ROOT, "  %d files: shipping costs %.1f ms a file step (%.2f×) and %.1f ms a bash step (%.2f×)%n",
          n, shared[0] - local[0], shared[0] / local[0], shared[1] - local[1], shared[1] / local[1]);
    }
  }

  /** {ms per file step, ms per bash step, store bytes per step, seconds for another machine to restore, bytes of the first shipment}. */
  static double[] measure(Path work, Path origin, int files, Counting store) throws Exception {
    String kind = store == null ? "dir" : "pg";
    String id = "ship-" + kind + "-" + files;
    WorkspaceKey key = new WorkspaceKey(id, "file://" + origin, "marathon/" + id);
    Workspace ws = new Workspaces(work.resolve("a-" + id), List.of(), store, AllowedOrigins.of(null)).get(key);
    List<Double> fileSteps = new ArrayList<>();
    List<Double> bashSteps = new ArrayList<>();
    String at;
    long firstBytes;
    try (Steps.Lease lease = ws.steps().lease(() -> { })) {
      at = ws.steps().begin().snapshot();
      firstBytes = store == null ? 0 : store.bytes.get();
      if (store != null) store.bytes.set(0);
      for (int i = 0; i < STEPS; i++) {
        String rel = "d0/f0-" + i + ".txt";
        Files.writeString(ws.root().resolve(rel), "step " + i + "\n");
        long s = System.nanoTime();
        at = ws.steps().snapshot(at, "write_file " + rel, rel);
        fileSteps.add((System.nanoTime() - s) / 1e6);
        Files.writeString(ws.root().resolve("d0/bash-" + i + ".txt"), "made by a command\n");
        s = System.nanoTime();
        at = ws.steps().snapshot(at, "bash");
        bashSteps.add((System.nanoTime() - s) / 1e6);
      }
    }
    double perStep = store == null ? 0 : store.bytes.get() / (2.0 * STEPS);
    double restore = 0;
    if (store != null) {
      Workspace elsewhere = new Workspaces(work.resolve("b-" + id), List.of(), store, AllowedOrigins.of(null)).get(key);
      long s = System.nanoTime();
      try (Steps.Lease lease = elsewhere.steps().lease(() -> { })) {
        elsewhere.steps().bringTo(at);
      }
      restore = (System.nanoTime() - s) / 1e9;
    }
    return new double[] {LargeRepoBenchmark.median(fileSteps), LargeRepoBenchmark.median(bashSteps), perStep, restore, firstBytes};
  }

  static Path origin(Path work, int files) throws Exception {
    Path repo = LargeRepoBenchmark.generate(work.resolve("seed-" + files), files);
    Path bare = work.resolve("origin-" + files + ".git");
    GitRepos.git(work, "clone", "-q", "--bare", repo.toString(), bare.toString());
    return bare;
  }

  /** A store that counts the bytes put into it. */
  record Counting(CheckpointStore inner, AtomicLong bytes, boolean isShared) implements CheckpointStore {
    Counting(CheckpointStore inner, boolean isShared) {
      this(inner, new AtomicLong(), isShared);
    }

    @Override public String put(byte[] content) {
      if (!inner.contains(CheckpointStore.hash(content))) bytes.addAndGet(content.length);
      return inner.put(content);
    }
    @Override public byte[] get(String ref) { return inner.get(ref); }
    @Override public boolean contains(String ref) { return inner.contains(ref); }
    @Override public List<String> verify() { return inner.verify(); }
    @Override public String bind(String name, String ref) { return inner.bind(name, ref); }
    @Override public String bound(String name) { return inner.bound(name); }
    @Override public boolean shared() { return isShared; }
  }
}
