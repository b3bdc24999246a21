package dev.marathon.activities.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.marathon.activities.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Conversations as chains of checkpoints in the store. Loading walks the chain once and caches
 * the result for the few conversations a worker is busy with (bounded, so memory stays flat).
 * Every blob is written once: a tool result that the tool activity already stored is kept in a
 * checkpoint by its ref, and filled in when the conversation is loaded.
 */
public final class Conversations {
  private final CheckpointStore store;
  private final Map<String, List<Message>> cache;

  public Conversations(CheckpointStore store, int cachedConversations) {
    this.store = store;
    this.cache = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, List<Message>> eldest) {
        return size() > cachedConversations;
      }
    });
  }

  public CheckpointStore store() {
    return store;
  }

  /** Saves {@code added} on top of {@code parent} (null for a new conversation); returns the ref. */
  public String append(String parent, List<Message> added) {
    return append(parent, added, null);
  }

  /** Saves one turn's messages with what is known about the turn. */
  public String append(String parent, List<Message> added, TurnMeta meta) {
    List<Message> base = parent == null ? List.of() : load(parent);
    String ref = write(new Checkpoint(parent, List.copyOf(added), null, meta));
    List<Message> all = new ArrayList<>(base.size() + added.size());
    all.addAll(base);
    all.addAll(added);
    cache.put(ref, Collections.unmodifiableList(all));
    return ref;
  }

  /** Saves a new root holding {@code messages}, remembering the longer conversation it replaces. */
  public String replace(String compactedFrom, List<Message> messages) {
    String ref = write(new Checkpoint(null, List.copyOf(messages), compactedFrom));
    cache.put(ref, List.copyOf(messages));
    return ref;
  }

  /** The whole conversation ending at {@code ref}, oldest message first. */
  public List<Message> load(String ref) {
    List<Message> cached = cache.get(ref);
    if (cached != null) return cached;
    Deque<Checkpoint> chain = new ArrayDeque<>();
    List<Message> prefix = List.of();
    for (String at = ref; at != null; ) {
      List<Message> hit = at.equals(ref) ? null : cache.get(at);
      if (hit != null) {
        prefix = hit;
        break;
      }
      Checkpoint c = read(at);
      chain.push(c);
      at = c.parent();
    }
    List<Message> all = new ArrayList<>(prefix);
    while (!chain.isEmpty()) {
      for (Message m : chain.pop().messages()) {
        all.add(m.contentRef() != null && m.content() == null ? m.withContent(store.getText(m.contentRef())) : m);
      }
    }
    List<Message> result = Collections.unmodifiableList(all);
    cache.put(ref, result);
    return result;
  }

  /** One segment as stored, with the text of stored tool results filled in (for reading a run back). */
  public Checkpoint segment(String ref) {
    Checkpoint c = read(ref);
    List<Message> messages = new ArrayList<>(c.messages().size());
    for (Message m : c.messages()) messages.add(m.contentRef() != null && m.content() == null ? m.withContent(store.getText(m.contentRef())) : m);
    return new Checkpoint(c.parent(), messages, c.compactedFrom(), c.meta());
  }

  public Checkpoint read(String ref) {
    try {
      return Json.MAPPER.readValue(store.get(ref), Checkpoint.class);
    } catch (IOException e) {
      throw new UncheckedIOException("checkpoint " + ref + " is not a conversation checkpoint: " + e.getMessage(), e);
    }
  }

  /**
   * The arguments text of tool call {@code callId}, as the assistant message at or before {@code
   * ref} holds it; null when no message there made that call.
   */
  public String arguments(String ref, String callId) {
    List<Message> messages = load(ref);
    for (int i = messages.size() - 1; i >= 0; i--) {
      for (Message.Call c : messages.get(i).calls()) if (c.id().equals(callId)) return c.arguments();
    }
    return null;
  }

  private String write(Checkpoint c) {
    List<Message> stored = new ArrayList<>(c.messages().size());
    for (Message m : c.messages()) stored.add(m.forStorage());
    try {
      return store.put(Json.MAPPER.writeValueAsBytes(new Checkpoint(c.parent(), stored, c.compactedFrom(), c.meta())));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a checkpoint", e);
    }
  }

  /** Forgets cached conversations (tests use it to force a reload from disk). */
  public void clearCache() {
    cache.clear();
  }
}
