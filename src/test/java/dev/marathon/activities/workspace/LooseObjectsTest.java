package dev.marathon.activities.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Objects written one by one and in a batch land where and as git expects them, and a batch names nothing before it is settled. */
class LooseObjectsTest {
  @TempDir Path tmp;

  @Test
  void aBatchNamesItsObjectsOnlyOnceTheyAreAllOnDiskAndGitReadsThem() throws Exception {
    Path git = bareRepository();
    LooseObjects objects = new LooseObjects(git);

    objects.defer();
    String blob = objects.writeBlob("hello\n".getBytes(StandardCharsets.UTF_8));
    byte[] entry = concat("100644 a.txt\0".getBytes(StandardCharsets.UTF_8), java.util.HexFormat.of().parseHex(blob));
    String tree = objects.writeTree(entry);
    assertEquals(blob, objects.writeBlob("hello\n".getBytes(StandardCharsets.UTF_8)), "the same content, the same id, written once");
    assertFalse(Files.exists(object(git, blob)), "not named before it is settled");
    assertFalse(Files.exists(object(git, tree)));
    objects.settle();

    assertEquals("hello\n", git(git, "cat-file", "-p", blob));
    assertEquals("100644 blob " + blob + "\ta.txt\n", git(git, "cat-file", "-p", tree));
    assertEquals("ce013625030ba8dba906f756967f9e9ca394464a", blob, "git's own id for it");
    String commit = objects.writeCommit("tree " + tree + "\nauthor a <a@b> 0 +0000\ncommitter a <a@b> 0 +0000\n\nm\n");
    objects.updateRef("refs/marathon/snapshots", commit);
    assertEquals(commit + "\n", git(git, "rev-parse", "refs/marathon/snapshots"));
    assertFalse(git(git, "fsck", "--strict", "--no-dangling").contains("error"), "git finds every object sound");
    assertEquals(List.of(), unnamed(git), "no file left behind");
    objects.settle(); // nothing deferred: nothing to do
    assertTrue(Files.exists(object(git, commit)));
  }

  @Test
  void aBatchGivenUpLeavesNothingBehind() throws Exception {
    Path git = bareRepository();
    LooseObjects objects = new LooseObjects(git);
    objects.defer();
    String blob = objects.writeBlob("given up\n".getBytes(StandardCharsets.UTF_8));
    objects.abandon();
    assertFalse(Files.exists(object(git, blob)));
    assertEquals(List.of(), unnamed(git));
    objects.settle(); // nothing is deferred any more
    assertFalse(Files.exists(object(git, blob)));
    assertEquals(blob, objects.writeBlob("given up\n".getBytes(StandardCharsets.UTF_8)), "written again, durably, outside a batch");
    assertTrue(Files.exists(object(git, blob)));
  }

  Path bareRepository() throws Exception {
    Path git = tmp.resolve("snapshots.git");
    assertEquals(0, new ProcessBuilder("git", "init", "-q", "--bare", git.toString()).inheritIO().start().waitFor());
    return git;
  }

  /** The .tmp files under objects/: objects written and not named. */
  static List<Path> unnamed(Path git) throws java.io.IOException {
    try (Stream<Path> files = Files.walk(git.resolve("objects"))) {
      return files.filter(f -> f.toString().endsWith(".tmp")).toList();
    }
  }

  static Path object(Path git, String id) {
    return git.resolve("objects").resolve(id.substring(0, 2)).resolve(id.substring(2));
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  static String git(Path gitDir, String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("git", "--git-dir=" + gitDir));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    return out;
  }
}
