package dev.marathon.activities.workspace;

import dev.marathon.activities.store.CheckpointStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's snapshots in the shared checkpoint store, so that a worker that has never seen the run —
 * another machine, after the first one died with its disk — can take it over. Each new snapshot is
 * shipped before the step that made it returns: a git bundle of what it adds to the previous one
 * (its files, the agent's commits), stored content-addressed, with a small header bound to the
 * name {@code snapshot/<commit>}. Every {@link #CHAIN}th shipment holds everything since the run's
 * base commit instead, so a worker restoring the run reads at most that many bundles, never
 * thousands. Bundles apply to any run's snapshot repository: a sub-agent on another machine starts
 * from its coordinator's snapshot the same way.
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
   * What a shipment says: the snapshot, the run's base commit, the snapshot it applies on top of
   * ({@code after}, null for a full one), how many incremental shipments lead back to a full one,
   * and the bundle's ref.
   */
  record Header(String snapshot, String base, String after, int depth, String bundle) {
    String text() {
      return "marathon snapshot shipment 1\nsnapshot " + snapshot + "\nbase " + base + "\nafter " + (after == null ? "-" : after)
          + "\ndepth " + depth + "\nbundle " + bundle + "\n";
    }

    static Header parse(String text, String snapshot) {
      Map<String, String> fields = new java.util.HashMap<>();
      for (String line : text.split("\n")) {
        int space = line.indexOf(' ');
        if (space > 0) fields.put(line.substring(0, space), line.substring(space + 1));
      }
      String after = fields.get("after");
      Header h = new Header(fields.get("snapshot"), fields.get("base"), "-".equals(after) ? null : after,
          Integer.parseInt(fields.getOrDefault("depth", "-1")), fields.get("bundle"));
      if (!text.startsWith("marathon snapshot shipment 1\n") || !snapshot.equals(h.snapshot) || h.base == null
          || !h.base.matches("[0-9a-f]{40}") || h.after != null && !h.after.matches("[0-9a-f]{40}") || h.depth < 0
          || !CheckpointStore.isRef(h.bundle)) {
        throw new WorkspaceException("the shipment of snapshot " + snapshot + " in the checkpoint store is malformed", true);
      }
      return h;
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
    byte[] bundle = repo.bundle(snapshot, incremental ? previous : base, heartbeat);
    Header h = new Header(snapshot, base, incremental ? previous : null, incremental ? before + 1 : 0, store.put(bundle));
    store.bind(name(snapshot), store.putText(h.text()));
    depths.put(snapshot, h.depth());
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
    List<Header> chain = new ArrayList<>();
    for (String at = snapshot; at != null && (chain.isEmpty() || !repo.has(at)); ) {
      Header h = header(at);
      if (h == null) {
        throw new WorkspaceException("snapshot " + at + " is neither on this machine nor in the shared checkpoint store"
            + " (was the run started before its store was shared?)", true);
      }
      chain.add(h);
      at = h.after();
    }
    origin.ensure(chain.get(chain.size() - 1).base(), heartbeat);
    for (int i = chain.size() - 1; i >= 0; i--) {
      Header h = chain.get(i);
      repo.unbundle(store.get(h.bundle()), heartbeat);
      depths.put(h.snapshot(), h.depth());
    }
    return chain.get(0).base();
  }

  private Integer depthOf(String snapshot) {
    Integer known = depths.get(snapshot);
    if (known != null) return known;
    Header h = header(snapshot);
    if (h == null) return null; // never shipped (a run begun before its store was shared): the next shipment is a full one
    depths.put(snapshot, h.depth());
    return h.depth();
  }

  private Header header(String snapshot) {
    String ref = store.bound(name(snapshot));
    return ref == null ? null : Header.parse(store.getText(ref), snapshot);
  }

  private static String name(String snapshot) {
    return "snapshot/" + snapshot;
  }
}
