package dev.marathon.activities.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The directory store: the whole {@link CheckpointStoreContract}, and what only a directory has. */
class FileCheckpointStoreTest extends CheckpointStoreContract<FileCheckpointStore> {
  @TempDir Path dir;

  @Override
  protected FileCheckpointStore newStore() {
    return FileCheckpointStore.open(dir);
  }

  @Override
  protected void damage(FileCheckpointStore store, String ref) throws Exception {
    Files.writeString(objectFile(ref), "bit rot");
  }

  @Override
  protected long objectCount(FileCheckpointStore store) {
    return store.stats().objects();
  }

  Path objectFile(String ref) {
    return dir.resolve("objects").resolve(ref.substring(0, 2)).resolve(ref.substring(2));
  }

  @Test
  void isTheDefault() {
    assertInstanceOf(FileCheckpointStore.class, CheckpointStore.open(dir));
  }

  @Test
  void objectsLiveUnderTheirRefAndAnotherOpeningOfTheDirectorySeesThem() throws Exception {
    String ref = newStore().putText("hello");
    assertEquals("hello", Files.readString(objectFile(ref)));
    assertEquals("hello", CheckpointStore.open(dir).getText(ref));
  }

  @Test
  void statsCountObjectsAndTheirBytes() {
    FileCheckpointStore store = newStore();
    store.putText("hello");
    store.putText("hello");
    store.putText("world!");
    assertEquals(new FileCheckpointStore.Stats(2, 11), store.stats());
  }

  @Test
  void concurrentWritersLeaveNoTempFilesBehind() throws Exception {
    FileCheckpointStore store = newStore();
    byte[] big = "x".repeat(1 << 20).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Thread t = new Thread(() -> store.put(big));
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) t.join();
    try (Stream<Path> tmp = Files.list(dir.resolve("tmp"))) {
      assertEquals(0, tmp.count());
    }
  }
}
