package dev.marathon.activities.workspace;

import dev.marathon.activities.store.CheckpointStore;
import dev.marathon.workflows.api.WorkspaceKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's snapshots in the shared checkpoint store, so that a worker that has never seen the run —
 * another machine, after the first one died with its disk — can take it over. Each new snapshot is
 * shipped before the step that made it returns: one store object, a short text header and a git
 * pack of what the snapshot adds to the previous one (its files, the agent's commits), bound to
 * the name {@code snapshot/<run>/<commit>} ({@link #name}). Every {@link #CHAIN}th shipment holds everything since the
 * run's base commit instead, so a worker restoring the run reads at most that many, never
 * thousands. Shipments apply to any run's snapshot repository: a sub-agent on another machine
 * starts from its coordinator's snapshot the same way.
 *
 * <p>Only used when the store is shared ({@link CheckpointStore#shared}); with the directory store
 * on one machine nothing is shipped and nothing is paid.
 */
final class ShippedSnapshots {
  /** A full shipment after this many incremental ones. */
  static final int CHAIN = 32;

  private final CheckpointStore store;
  /** How far each snapshot this process shipped or received is from a full shipment. */
  private final Map<String, Integer> depths = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
      return size() > 256;
    }
  });

  /**
   * A shipment: the snapshot, the run's base commit, the snapshot it applies on top of ({@code
   * after}, null for a full one), how many incremental shipments lead back to a full one, and the
   * pack. Stored as the header's lines, an empty line, then the pack's bytes.
   */
  record Shipment(String snapshot, String base, String after, int depth, byte[] pack) {
    private static final String MAGIC = "marathon snapshot shipment 1\n";

    byte[] bytes() {
      byte[] header = (MAGIC + "snapshot " + snapshot + "\nbase " + base + "\nafter " + (after == null ? "-" : after)
          + "\ndepth " + depth + "\n\n").getBytes(StandardCharsets.US_ASCII);
      byte[] all = java.util.Arrays.copyOf(header, header.length + pack.length);
      System.arraycopy(pack, 0, all, header.length, pack.length);
      return all;
    }

    static Shipment parse(byte[] bytes, String snapshot) {
      String text = new String(bytes, 0, Math.min(bytes.length, 512), StandardCharsets.US_ASCII);
      int end = text.indexOf("\n\n");
      Map<String, String> fields = new java.util.HashMap<>();
      for (String line : text.substring(0, Math.max(end, 0)).split("\n")) {
        int space = line.indexOf(' ');
        if (space > 0) fields.put(line.substring(0, space), line.substring(space + 1));
      }
      String after = fields.get("after");
      String base = fields.get("base");
      int depth = fields.getOrDefault("depth", "").matches("[0-9]{1,9}") ? Integer.parseInt(fields.get("depth")) : -1;
      if (end < 0 || !text.startsWith(MAGIC) || !snapshot.equals(fields.get("snapshot")) || base == null || !base.matches("[0-9a-f]{40}")
          || after == null || !after.equals("-") && !after.matches("[0-9a-f]{40}") || depth < 0) {
        throw new WorkspaceException("the shipment of snapshot " + snapshot + " in the checkpoint store is malformed", true);
      }
      return new Shipment(snapshot, base, after.equals("-") ? null : after, depth, java.util.Arrays.copyOfRange(bytes, end + 2, bytes.length));
    }
  }

  ShippedSnapshots(CheckpointStore store) {
    this.store = store;
  }

  /**
   * Ships {@code snapshot}, which {@code repo} of run {@code run} has just recorded on top of
   * {@code previous} (null for a run's first).
   */
  void ship(WorkspaceKey run, SnapshotRepository repo, String snapshot, String previous, String base, Runnable heartbeat) {
    String name = name(run, snapshot);
    if (depths.containsKey(name) || store.bound(name) != null) return; // a retried step's, shipped before
    Integer before = previous == null ? null : depthOf(run, previous);
    boolean incremental = before != null && before + 1 < CHAIN;
    byte[] pack = repo.pack(snapshot, incremental ? previous : base, heartbeat);
    Shipment s = new Shipment(snapshot, base, incremental ? previous : null, incremental ? before + 1 : 0, pack);
    String mine = store.put(s.bytes());
    if (store.bind(name, mine).equals(mine)) depths.put(name, s.depth()); // else another worker's stands: its depth is read when needed
  }

  /**
   * Brings snapshot {@code snapshot} of run {@code run} into {@code repo} from the store: the
   * run's shipments back to one the repository can build on (a full one, or one on top of a
   * snapshot it holds), applied oldest first. Only that run's shipments are read: a snapshot id
   * of another run, named by a hostile run input, is not found. Returns the run's base commit.
   */
  String receive(WorkspaceKey run, SnapshotRepository repo, String snapshot, Origin origin, Runnable heartbeat) {
    List<Shipment> chain = new ArrayList<>();
    for (String at = snapshot; at != null && (chain.isEmpty() || !repo.has(at)); ) {
      Shipment h = shipment(run, at);
      if (h == null) {
        throw new WorkspaceException("snapshot " + at + " of run " + run.runId() + " is neither on this machine nor in the shared"
            + " checkpoint store", true);
      }
      if (!chain.isEmpty() && h.depth() != chain.get(chain.size() - 1).depth() - 1 || chain.size() > CHAIN) {
        throw new WorkspaceException("the shipments of run " + run.runId() + " before snapshot " + snapshot + " do not form a chain", true);
      }
      chain.add(h);
      at = h.after();
    }
    origin.ensure(chain.get(chain.size() - 1).base(), heartbeat);
    for (int i = chain.size() - 1; i >= 0; i--) {
      Shipment h = chain.get(i);
      repo.unpack(h.pack(), heartbeat);
      depths.put(name(run, h.snapshot()), h.depth());
    }
    return chain.get(0).base();
  }

  private Integer depthOf(WorkspaceKey run, String snapshot) {
    Integer known = depths.get(name(run, snapshot));
    if (known != null) return known;
    Shipment h = shipment(run, snapshot);
    if (h == null) return null; // never shipped: the next shipment is a full one
    depths.put(name(run, snapshot), h.depth());
    return h.depth();
  }

  private Shipment shipment(WorkspaceKey run, String snapshot) {
    String ref = store.bound(name(run, snapshot));
    return ref == null ? null : Shipment.parse(store.get(ref), snapshot);
  }

  /**
   * {@code snapshot/<the run's key>/<commit>}: a run's shipments are its own. The key is the hash of
   * the run's id, repository and branch together, so a run input that names another run's id with
   * another repository finds nothing of it.
   */
  static String name(WorkspaceKey run, String snapshot) {
    String key = run.runId() + "\n" + run.repo() + "\n" + run.branch();
    return "snapshot/" + CheckpointStore.hash(key.getBytes(StandardCharsets.UTF_8)) + "/" + snapshot;
  }
}
