package dev.marathon.activities;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A directory's files, listed by git walking that directory alone, are exactly what the whole listing has under it. */
class GitWorkTreeFilesTest {
  @TempDir Path root;

  @Test
  void aDirectorysListingIsTheWholeListingUnderItWithTheIgnoreFilesAboveApplied() throws Exception {
    for (String f : List.of(".gitignore", "a/x.txt", "a/y.log", "a/build/z.txt", "a/sub/w.txt", "a/sub/.gitignore", "a/sub/skip.tmp",
        "b/q.txt", "ab/not-under-a.txt", "a*/literal.txt", "a b/space.txt")) {
      Files.createDirectories(root.resolve(f).getParent());
      Files.writeString(root.resolve(f), f.endsWith(".gitignore") ? (f.equals(".gitignore") ? "*.log\nbuild/\n" : "*.tmp\n") : "x");
    }
    GitWorkTreeFiles files = new GitWorkTreeFiles();
    List<String> all = files.list(root);
    for (String dir : List.of("a", "a/sub", "b", "a*", "a b", "a/x.txt")) {
      List<String> expected = all.stream().filter(f -> f.equals(dir) || f.startsWith(dir + "/")).toList();
      assertEquals(expected, files.under(root, dir), dir);
    }
    assertEquals(List.of("a/sub/.gitignore", "a/sub/w.txt", "a/x.txt"), files.under(root, "a"),
        "a/y.log and a/build/ ignored by the root's .gitignore, a/sub/skip.tmp by a/sub's own");
    assertEquals(all, files.under(root, "."));
  }
}
