package dev.marathon.activities.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {
  @TempDir Path dir;

  @Test
  void objectsAreAddressedByTheirSha256AndStoredOnce() {
    FileCheckpointStore store = FileCheckpointStore.open(dir);
    String ref = store.putText("hello");
    assertEquals("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", ref);
    assertEquals(ref, store.putText("hello"));
    assertEquals(1, store.stats().objects());
    assertEquals("hello", store.getText(ref));
  }

  @Test
  void aDamagedObjectIsReportedNeverTrusted() throws Exception {
    CheckpointStore store = CheckpointStore.open(dir);
    String ref = store.putText("the original");
    Path file = dir.resolve("objects").resolve(ref.substring(0, 2)).resolve(ref.substring(2));
    Files.writeString(file, "bit rot");
    CorruptObjectException e = assertThrows(CorruptObjectException.class, () -> store.get(ref));
    assertTrue(e.getMessage().contains(ref));
    assertEquals(List.of(ref), store.verify());
    assertThrows(MissingObjectException.class, () -> store.get("0".repeat(64)));
    assertThrows(IllegalArgumentException.class, () -> store.get("../../etc/passwd"));
  }

  @Test
  void writesLeaveNoTempFilesBehindAndConcurrentWritersAgree() throws Exception {
    CheckpointStore store = CheckpointStore.open(dir);
    byte[] big = "x".repeat(1 << 20).getBytes(StandardCharsets.UTF_8);
    List<Thread> threads = new ArrayList<>();
    List<String> refs = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < 8; i++) {
      Thread t = new Thread(() -> refs.add(store.put(big)));
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) t.join();
    assertEquals(1, refs.stream().distinct().count());
    assertArrayEquals(big, store.get(refs.get(0)));
    try (Stream<Path> tmp = Files.list(dir.resolve("tmp"))) {
      assertEquals(0, tmp.count());
    }
    assertTrue(store.verify().isEmpty());
  }

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
