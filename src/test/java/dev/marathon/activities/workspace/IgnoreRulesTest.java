package dev.marathon.activities.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link IgnoreRules} must say of every untracked file what git says: checked against the real
 * git ({@code ls-files --others --exclude-standard}, the walk {@code git add -A} makes) for rule
 * files written by hand with git's every documented form, and for random ones.
 */
class IgnoreRulesTest {
  @TempDir Path tmp;

  @Test
  void everyDocumentedFormOfARuleIsDecidedAsGitDecidesIt() throws Exception {
    Path root = tmp.resolve("w");
    write(root, ".gitignore", "\uFEFF*.log\n!important.log\n/build\nout/\n# comment\n\\#hash\n\\!bang\n"
        + "doc/*.txt\n**/cache\na/**/b\nfoo/**\n*.[oa]\n[!x]y\ntrailing\\ \nspaced   \r\n?.tmp\na**/q\nx/*/y\n"
        + "[a-c]z\n[]]r\n[\\]]s\nlit[\n**/deep/**/end\n*\\*star\nwhite/*\n!white/keep*\n");
    write(root, "sub/.gitignore", "local\n/anchored\n!*.log\nsub2/\n");
    write(root, "sub/deeper/.gitignore", "*\n!*/\n!*.keep\n");
    write(root, "ign/.gitignore", "!never\n");
    Files.writeString(tmp.resolve("exclude"), "fromexclude\n!keep.fromglobal\n");
    Files.writeString(tmp.resolve("global"), "*.fromglobal\nign/\n");
    for (String f : List.of("x.log", "important.log", "sub/important.log", "sub/x.log", "build", "build2", "d/build", "out/o",
        "d/out/o", "#hash", "!bang", "doc/a.txt", "doc/s/a.txt", "sub/doc/a.txt", "cache/c", "q/cache/c", "a/b", "a/x/y/b",
        "foo/z", "foo/y/w", "m.o", "m.a", "m.c", "ay", "xy", "trailing ", "trailing", "spaced", "spaced ", "a.tmp", "ab.tmp",
        "aaa/q", "a/q", "x/1/y", "x/2/3/y", "az", "dz", "]r", "]s", "\\s", "lit[", "p/deep/q/r/end", "p/deep/end", "a*star",
        "astar", "white/k", "white/keep1", "sub/local", "sub/s/local", "sub/anchored", "sub/s/anchored", "sub/sub2/f",
        "sub/deeper/f", "sub/deeper/f.keep", "sub/deeper/d/f.keep", "sub/deeper/d/g", "ign/never", "fromexclude",
        "d/fromexclude", "a.fromglobal", "keep.fromglobal", "plain", "d/plain")) {
      write(root, f, "x\n");
    }
    assertAgreesWithGit(root, List.of(tmp.resolve("global"), tmp.resolve("exclude")));
  }

  /** Git reads a rule only up to a NUL: a rule file with one is git's to read. */
  @Test
  void aRuleFileWithANulIsNotDecidedHere() throws Exception {
    Path root = tmp.resolve("nul");
    write(root, ".gitignore", "*.o\0junk\n");
    assertEquals(null, new IgnoreRules(root, List.of()).ignored("b.o"));
  }

  /** Random rules over a small alphabet, where git's corner cases live: stars, sets, slashes, escapes. */
  @Test
  void randomRulesAreDecidedAsGitDecidesThem() throws Exception {
    Random random = new Random(21);
    String[] atoms = {"a", "b", "*", "**", "?", "/", "[ab]", "[!a]", "[a-b]", "\\*", "!", "a/", "*/", "/**/", "ab"};
    String[] names = {"a", "b", "ab", "ba", "aa", "*", "a*b", "bb"};
    for (int trial = 0; trial < 300; trial++) {
      Path root = tmp.resolve("r" + trial);
      StringBuilder rules = new StringBuilder();
      for (int i = 0; i < 1 + random.nextInt(4); i++) {
        StringBuilder p = new StringBuilder(random.nextInt(4) == 0 ? "!" : "");
        for (int j = 0; j < 1 + random.nextInt(4); j++) p.append(atoms[random.nextInt(atoms.length)]);
        rules.append(p).append('\n');
      }
      write(root, ".gitignore", rules.toString());
      if (random.nextBoolean()) write(root, "a/.gitignore", "!b\n" + atoms[random.nextInt(atoms.length)] + atoms[random.nextInt(atoms.length)] + "\n");
      for (int i = 0; i < 12; i++) {
        StringBuilder path = new StringBuilder();
        for (int depth = 0; depth < 1 + random.nextInt(3); depth++) {
          if (depth > 0) path.append('/');
          path.append(names[random.nextInt(names.length)]);
        }
        String p = path.toString();
        if (p.equals(".gitignore") || Files.isRegularFile(root.resolve(p).getParent() == null ? root : root.resolve(p).getParent())) continue;
        if (Files.isDirectory(root.resolve(p))) continue;
        boolean clash = false;
        for (Path q = root.resolve(p).getParent(); !q.equals(root); q = q.getParent()) clash |= Files.isRegularFile(q);
        if (!clash) write(root, p, "x\n");
      }
      assertAgreesWithGit(root, List.of());
    }
  }

  private void assertAgreesWithGit(Path root, List<Path> global) throws Exception {
    Path gitDir = root.resolveSibling(root.getFileName() + ".git");
    run(root, "git", "init", "-q", "--bare", "--template=", gitDir.toString());
    if (global.size() == 2) {
      Files.createDirectories(gitDir.resolve("info"));
      Files.copy(global.get(1), gitDir.resolve("info/exclude"));
    }
    List<String> args = new ArrayList<>(List.of("git", "--git-dir=" + gitDir, "--work-tree=" + root));
    if (global.size() == 2) args.addAll(List.of("-c", "core.excludesFile=" + global.get(0)));
    args.addAll(List.of("ls-files", "--others", "--exclude-standard", "-z"));
    Set<String> added = new TreeSet<>(List.of(run(root, args.toArray(String[]::new)).split("\0")));
    added.remove("");
    IgnoreRules rules = new IgnoreRules(root, global.size() == 2 ? List.of(global.get(0), gitDir.resolve("info/exclude")) : List.of());
    List<String> disagreements = new ArrayList<>();
    int decided = 0;
    try (var files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String rel = root.relativize(f).toString();
        Boolean ignored = rules.ignored(rel);
        if (ignored == null) continue;
        decided++;
        if (ignored == added.contains(rel)) disagreements.add(rel + (ignored ? " (said ignored)" : " (said added)"));
      }
    }
    assertEquals(List.of(), disagreements, "rules:\n" + Files.readString(root.resolve(".gitignore")));
    assertTrue(decided > 0);
  }

  private static void write(Path root, String rel, String content) throws Exception {
    Path f = root.resolve(rel);
    Files.createDirectories(f.getParent());
    Files.write(f, content.getBytes(StandardCharsets.UTF_8));
  }

  private static String run(Path dir, String... command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().put("GIT_CONFIG_GLOBAL", "/dev/null");
    pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
    pb.environment().put("XDG_CONFIG_HOME", dir.resolve("no-config").toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    return out;
  }
}
