package dev.marathon.activities.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConversationsTest {
  @TempDir Path dir;

  @Test
  void conversationsAreChainsOfSegmentsAndCostOnlyTheNewMessages() {
    FileCheckpointStore store = FileCheckpointStore.open(dir);
    Conversations conversations = new Conversations(store, 4);
    String ref = conversations.append(null, List.of(Message.system("sys"), Message.user("task")));
    List<Long> segmentSizes = new ArrayList<>();
    for (int turn = 1; turn <= 50; turn++) {
      long before = store.stats().bytes();
      ref = conversations.append(ref, List.of(
          Message.assistant(null, "thinking " + turn, "reasoning_content", List.of(new Message.Call("c" + turn, "bash", "{}")), "kimi"),
          Message.toolResult("c" + turn, "bash", "output " + turn)));
      segmentSizes.add(store.stats().bytes() - before);
    }
    // Appending turn 50 costs what appending turn 2 cost (up to digits): no quadratic growth.
    assertTrue(segmentSizes.get(49) < segmentSizes.get(1) + 16, segmentSizes.toString());

    conversations.clearCache();
    List<Message> loaded = new Conversations(store, 4).load(ref);
    assertEquals(2 + 100, loaded.size());
    assertEquals("thinking 50", loaded.get(100).reasoning());
    assertEquals("reasoning_content", loaded.get(100).reasoningField());
  }

  @Test
  void replacingAConversationKeepsTheOriginalReachable() {
    CheckpointStore store = CheckpointStore.open(dir);
    Conversations conversations = new Conversations(store, 4);
    String full = conversations.append(null, List.of(Message.system("sys"), Message.user("a long story")));
    String shorter = conversations.replace(full, List.of(Message.system("sys"), Message.user("short")));
    assertEquals(full, conversations.read(shorter).compactedFrom());
    assertEquals("a long story", new Conversations(store, 4).load(full).get(1).content());
  }
}
