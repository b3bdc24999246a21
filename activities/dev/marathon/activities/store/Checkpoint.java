package dev.marathon.activities.store;

import java.util.List;

/**
 * One segment of a conversation: the messages added since {@code parent}. A conversation is the
 * chain of segments from a root to a checkpoint, so saving a turn costs only the new messages.
 *
 * @param parent the previous checkpoint, or null for a root
 * @param compactedFrom for a root made by compaction: the longer checkpoint it replaces, which
 *     stays in the store (the full transcript is never deleted)
 * @param meta for a turn's segment: the turn, the workspace it started from, its cost; null for
 *     roots and for segments written before commit c47e2bf of 2026-12-01
 */
public record Checkpoint(String parent, List<Message> messages, String compactedFrom, TurnMeta meta) {
  public Checkpoint(String parent, List<Message> messages, String compactedFrom) {
    this(parent, messages, compactedFrom, null);
  }
}
