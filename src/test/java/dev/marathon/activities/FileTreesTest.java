package dev.marathon.activities;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tree is removed whole, and what its links point at is left alone. */
class FileTreesTest {
  @TempDir Path tmp;

  @Test
  void removesTheTreeAndItsLinksButNotWhatTheyPointAt() throws Exception {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("keep.txt"), "mine");
    Path tree = Files.createDirectories(tmp.resolve("tree/a/b"));
    Files.writeString(tree.resolve("f.txt"), "x");
    Files.createSymbolicLink(tmp.resolve("tree/a/to-outside"), outside);
    Files.createSymbolicLink(tmp.resolve("tree/a/b/to-file"), outside.resolve("keep.txt"));

    FileTrees.delete(tmp.resolve("tree"));
    assertFalse(Files.exists(tmp.resolve("tree"), LinkOption.NOFOLLOW_LINKS));
    assertEquals("mine", Files.readString(outside.resolve("keep.txt")));

    Path link = Files.createSymbolicLink(tmp.resolve("link-root"), outside);
    FileTrees.delete(link);
    assertFalse(Files.exists(link, LinkOption.NOFOLLOW_LINKS), "a link given as the tree is removed itself");
    assertTrue(Files.exists(outside.resolve("keep.txt")));

    FileTrees.delete(tmp.resolve("never-there")); // nothing to do
  }

  @Test
  void aLargeTreeReportsProgressAsItGoes() throws Exception {
    Path tree = Files.createDirectories(tmp.resolve("large"));
    for (int i = 0; i < 5 * FileTrees.EVERY; i++) Files.writeString(tree.resolve("f" + i), "");
    java.util.concurrent.atomic.AtomicInteger beats = new java.util.concurrent.atomic.AtomicInteger();
    FileTrees.delete(tree, beats::incrementAndGet);
    assertFalse(Files.exists(tree));
    assertEquals(5, beats.get(), "one heartbeat per " + FileTrees.EVERY + " paths removed");
  }
}
