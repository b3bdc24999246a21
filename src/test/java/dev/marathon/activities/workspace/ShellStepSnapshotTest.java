package dev.marathon.activities.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.testing.GitRepos;
import dev.marathon.workflows.api.WorkspaceKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shell step's snapshot asks git about what the kernel said changed, not every file: each one
 * here must make exactly the tree a scan of the whole work tree makes (an index of its own, {@code
 * git add -A}), for what real commands do — edits, sed -i's temporary file, deletions, renamed
 * directories written into afterwards, new nested directories, modes, links, ignored files —
 * and must not have scanned the whole tree to get it.
 */
class ShellStepSnapshotTest {
  @TempDir Path tmp;
  Workspace ws;

  @BeforeEach
  void setUp() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("a.txt", "a\n", ".gitignore", "build/\n*.log\n", "d/one.txt", "1\n",
        "d/sub/two.txt", "2\n", "gone.txt", "bye\n", "keep/k.txt", "k\n"));
    ws = new Workspaces(tmp.resolve("workspaces")).get(new WorkspaceKey("sh-1", repo.toString(), "marathon/sh-1"));
  }

  @Test
  void whatCommandsChangeIsSnapshottedExactlyWithoutAWholeTreeScan() throws Exception {
    String s = ws.steps().begin().snapshot();
    int scans = ws.steps().wholeTreeScans();
    List<String> commands = List.of(
        "echo more >> a.txt; sed -i s/k/K/ keep/k.txt; rm gone.txt",
        "mkdir -p new/deep/er && echo x > new/deep/er/x.txt; t=$(mktemp -p .); echo tmp > $t; rm $t",
        "mv d renamed",
        "echo later > renamed/sub/three.txt; echo changed > renamed/one.txt", // written through the watch of a moved directory
        "chmod +x a.txt; ln -s a.txt link; mkdir build; echo out > build/o.txt; echo log > x.log; touch keep",
        "rm -r renamed; mkdir renamed; echo again > renamed/r.txt",
        "mv new/deep/er er; rmdir new/deep; echo y > er/y.txt");
    for (String command : commands) {
      bash(command);
      String next = ws.steps().snapshot(s, command);
      assertNotEquals(s, next, command);
      assertEquals(wholeTree(), tree(next), "after: " + command);
      s = next;
    }
    assertEquals(scans, ws.steps().wholeTreeScans(), "no step scanned the whole tree");
    assertEquals(s, ws.steps().snapshot(s, "read only"), "nothing changed, nothing new");
  }

  @Test
  void anIgnoreFileChangedOrTooManyPathsScanTheWholeTree() throws Exception {
    String s0 = ws.steps().begin().snapshot();
    Files.createDirectories(ws.root().resolve("build"));
    Files.writeString(ws.root().resolve("build/cache.txt"), "c\n");
    String s1 = ws.steps().snapshot(s0, "build");
    assertEquals(tree(s0), tree(s1), "ignored: nothing new");
    int scans = ws.steps().wholeTreeScans();

    // build/cache.txt made no event since; un-ignoring it must still bring it in.
    bash("echo '*.log' > .gitignore");
    String s2 = ws.steps().snapshot(s1, "unignore");
    assertEquals(wholeTree(), tree(s2));
    assertTrue(GitRepos.git(ws.snapshots(), "ls-tree", "-r", "--name-only", s2).contains("build/cache.txt"));
    assertEquals(scans + 1, ws.steps().wholeTreeScans(), "an ignore file changed: the whole tree");

    bash("mkdir many && cd many && touch $(seq 1 " + (WorkTreeChanges.MAX_PATHS + 1) + ")");
    String s3 = ws.steps().snapshot(s2, "many");
    assertEquals(wholeTree(), tree(s3));
    assertEquals(scans + 2, ws.steps().wholeTreeScans(), "more paths than are kept: the whole tree");

    bash("echo after > many/1");
    String s4 = ws.steps().snapshot(s3, "after");
    assertEquals(wholeTree(), tree(s4));
    assertEquals(scans + 2, ws.steps().wholeTreeScans(), "and then watched again");
  }

  @Test
  void aFileChangedBetweenStepsByNoStepIsSeenByTheNextShellStep() throws Exception {
    String s0 = ws.steps().begin().snapshot();
    Files.writeString(ws.root().resolve("a.txt"), "by a file tool\n");
    String s1 = ws.steps().snapshot(s0, "write_file", "a.txt");
    Files.writeString(ws.root().resolve("keep/k.txt"), "by something left running\n");
    String s2 = ws.steps().snapshot(s1, "bash: true");
    assertEquals(wholeTree(), tree(s2));
    assertEquals("by something left running", GitRepos.git(ws.snapshots(), "show", s2 + ":keep/k.txt"));
  }

  /** The tree of a whole-tree {@code git add -A} through an index of the test's own. */
  private String wholeTree() throws Exception {
    Path index = tmp.resolve("oracle-index");
    Files.deleteIfExists(index);
    return git(index, "add", "-A").isEmpty() ? git(index, "write-tree") : "git add failed";
  }

  private String tree(String snapshot) {
    return GitRepos.git(ws.snapshots(), "rev-parse", snapshot + "^{tree}");
  }

  private String git(Path index, String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("git"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(ws.root().toFile()).redirectErrorStream(true);
    pb.environment().putAll(Map.of("GIT_DIR", ws.snapshots().toString(), "GIT_WORK_TREE", ws.root().toString(), "GIT_INDEX_FILE",
        index.toString()));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "git " + args[0] + ": " + out);
    return out;
  }

  private void bash(String command) throws Exception {
    Process p = new ProcessBuilder("bash", "-c", command).directory(ws.root().toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, command + ": " + out);
  }
}
