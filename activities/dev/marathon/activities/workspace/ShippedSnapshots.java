package dev.marathon.activities.workspace;

import dev.marathon.activities.store.CheckpointStore;
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
 * the name {@code snapshot/<commit>}. Every {@link #CHAIN}th shipment holds everything since the
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

  /** Ships {@code snapshot}, which {@code repo} has just recorded on top of {@code previous} (null for a run's first). */
  void ship(SnapshotRepository repo, String snapshot, String previous, String base, Runnable heartbeat) {
    if (depths.containsKey(snapshot) || store.bound(name(snapshot)) != null) return; // a retried step's, shipped before
    Integer before = previous == null ? null : depthOf(previous);
    boolean incremental = before != null && before + 1 < CHAIN;
    byte[] pack = repo.pack(snapshot, incremental ? previous : base, heartbeat);
    Shipment s = new Shipment(snapshot, base, incremental ? previous : null, incremental ? before + 1 : 0, pack);
    store.bind(name(snapshot), store.put(s.bytes()));
    depths.put(snapshot, s.depth());
  }

  /** Whether {@code snapshot} was shipped (by any worker). */
  boolean shipped(String snapshot) {
    return depths.containsKey(snapshot) || store.bound(name(snapshot)) != null;
  }

  /**
   * Brings {@code snapshot} into {@code repo} from the store: the shipments back to one whose base
   * the repository has (a full one, or one on top of a snapshot it holds), applied oldest first.
   * Returns the run's base commit.
   */
  String receive(SnapshotRepository repo, String snapshot, Origin origin, Runnable heartbeat) {
    List<Shipment> chain = new ArrayList<>();
    for (String at = snapshot; at != null && (chain.isEmpty() || !repo.has(at)); ) {
      Shipment h = shipment(at);
      if (h == null) {
        throw new WorkspaceException("snapshot " + at + " is neither on this machine nor in the shared checkpoint store"
            + " (was the run started before its store was shared?)", true);
      }
      chain.add(h);
      at = h.after();
    }
    origin.ensure(chain.get(chain.size() - 1).base(), heartbeat);
    for (int i = chain.size() - 1; i >= 0; i--) {
      Shipment h = chain.get(i);
      repo.unpack(h.pack(), heartbeat);
      depths.put(h.snapshot(), h.depth());
    }
    return chain.get(0).base();
  }

  private Integer depthOf(String snapshot) {
    Integer known = depths.get(snapshot);
    if (known != null) return known;
    Shipment h = shipment(snapshot);
    if (h == null) return null; // never shipped (a run begun before its store was shared): the next shipment is a full one
    depths.put(snapshot, h.depth());
    return h.depth();
  }

  private Shipment shipment(String snapshot) {
    String ref = store.bound(name(snapshot));
    return ref == null ? null : Shipment.parse(store.get(ref), snapshot);
  }

  private static String name(String snapshot) {
    return "snapshot/" + snapshot;
  }
}
