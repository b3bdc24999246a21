package dev.marathon.activities.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.testing.GitRepos;
import dev.marathon.workflows.api.WorkspaceKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's {@code .git} is the agent's to write: each way of making it point at the user's
 * repository, then the steps Marathon takes outside the sandbox (snapshot, the restore of a
 * retried step, a swarm's merge, delivery). The user's repository stays byte-identical, every file
 * of it, objects included; the run's workspace comes out usable.
 */
class HostileAgentGitTest {
  @TempDir Path tmp;
  Path repo;
  Workspace ws;
  String s0;

  @BeforeEach
  void setUp() throws Exception {
    repo = GitRepos.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));
    Files.writeString(repo.resolve("staged.txt"), "the user's staged work\n");
    GitRepos.git(repo, "add", "staged.txt");
    ws = new Workspaces(tmp.resolve("workspaces")).get(new WorkspaceKey("hostile-1", repo.toString(), "marathon/hostile-1"));
    s0 = ws.steps().begin().snapshot();
  }

  @Test
  void dotGitReplacedByALinkToTheUsersRepository() throws Exception {
    attack(root -> run("rm -rf .git && ln -s " + repo.resolve(".git") + " .git"));
  }

  @Test
  void dotGitReplacedByAGitfileToTheUsersRepository() throws Exception {
    attack(root -> run("rm -rf .git && echo 'gitdir: " + repo.resolve(".git") + "' > .git"));
  }

  @Test
  void commondirPointingAtTheUsersRepository() throws Exception {
    attack(root -> run("echo '" + repo.resolve(".git") + "' > .git/commondir && rm -rf .git/refs && mkdir .git/refs"));
  }

  @Test
  void refsIndexAndObjectsLinkedIntoTheUsersRepository() throws Exception {
    attack(root -> run("rm -rf .git/refs/heads .git/index && ln -s " + repo.resolve(".git/refs/heads") + " .git/refs/heads"
        + " && ln -s " + repo.resolve(".git/index") + " .git/index && rm -rf .git/objects/pack && ln -s "
        + repo.resolve(".git/objects/pack") + " .git/objects/pack"));
  }

  @Test
  void headNamingABranchOutsideItsRepository() throws Exception {
    attack(root -> run("printf 'ref: refs/heads/../../../../../repo/.git/refs/heads/main\\n' > .git/HEAD"));
  }

  @Test
  void aBranchNamingNoCommit() throws Exception {
    attack(root -> run("git update-ref refs/heads/x HEAD && printf '0123456789012345678901234567890123456789\\n' > .git/refs/heads/x"
        + " && printf 'ref: refs/heads/x\\n' > .git/HEAD"));
  }

  @Test
  void alternatesPointingElsewhereAreMarathonsToWrite() throws Exception {
    Path elsewhere = Files.createDirectories(tmp.resolve("another-run/.git/objects"));
    run("echo " + elsewhere + " >> .git/objects/info/alternates && echo d > d.txt && git add d.txt"
        + " && git -c user.name=a -c user.email=a@a commit -q -m d");
    ws.steps().snapshot(s0, "1.1 commit");
    assertEquals(List.of(GitRepos.git(repo, "rev-parse", "--path-format=absolute", "--git-common-dir") + "/objects"),
        Files.readAllLines(ws.root().resolve(".git/objects/info/alternates")));
  }

  /** A snapshot's files live in Marathon's repository, not in the agent's, which the agent can delete. */
  @Test
  void deletingItsRepositoryLosesNoSnapshot() throws Exception {
    run("echo staged-only > y.txt && git add y.txt"); // y's blob is now in the agent's objects only
    String s1 = ws.steps().snapshot(s0, "1.1 stage");
    run("rm -rf .git && echo z > z.txt");
    String s2 = ws.steps().snapshot(s1, "2.1 after rm -rf .git");
    Files.writeString(ws.root().resolve("y.txt"), "changed by a dead attempt\n");
    ws.steps().changing();
    ws.steps().bringTo(s1);
    assertEquals("staged-only\n", Files.readString(ws.root().resolve("y.txt")));
    ws.steps().changing();
    ws.steps().bringTo(s2);
    assertEquals("z\n", Files.readString(ws.root().resolve("z.txt")));
  }

  /** A file over the cap stays in the workspace, out of snapshots and the branch, and the step says so. */
  @Test
  void aFileOverTheCapIsLeftOutWithANotice() throws Exception {
    run("truncate -s 101M big.bin && echo small > small.txt");
    String s1 = ws.steps().snapshot(s0, "1.1 big");
    assertTrue(ws.steps().leftOutByLastSnapshot().contains("big.bin") && ws.steps().leftOutByLastSnapshot().contains("100 MB"), ws.steps().leftOutByLastSnapshot());
    String files = GitRepos.git(tmp.resolve("workspaces/hostile-1.marathon/snapshots.git"), "ls-tree", "-r", "--name-only", s1);
    assertTrue(files.contains("small.txt") && !files.contains("big.bin"), files);
    assertTrue(Files.size(ws.root().resolve("big.bin")) > LargeFiles.MAX_BYTES, "it stays in the workspace");
    assertEquals(null, ws.steps().snapshot(s1, "1.2 nothing new") == null ? "" : ws.steps().leftOutByLastSnapshot(), "said once, when it is left out");
    ws.publishing().commit(s1, "marathon: final", Git.IDENTITY);
    assertFalse(GitRepos.git(repo, "ls-tree", "-r", "--name-only", "marathon/hostile-1").contains("big.bin"), "not on the branch");
  }

  /** {@code .GIT/hooks/x} is {@code .git/hooks/x} on a Mac or Windows: git refuses it; it is left out, not a reason to fail. */
  @Test
  void aPathThatIsGitOnAnotherFileSystemIsLeftOutNotAReasonToFail() throws Exception {
    run("mkdir -p .GIT/hooks sub/git~1 sub/ok && echo x > .GIT/hooks/post-checkout && echo y > sub/git~1/y && echo z > sub/ok/z");
    String s1 = ws.steps().snapshot(s0, "1.1 aliases of .git");
    String files = GitRepos.git(tmp.resolve("workspaces/hostile-1.marathon/snapshots.git"), "ls-tree", "-r", "--name-only", s1);
    assertTrue(files.contains("sub/ok/z"), files);
    assertFalse(files.contains(".GIT") || files.contains("git~1"), "left out: " + files);
    assertTrue(ws.steps().leftOutByLastSnapshot().contains(".GIT"), ws.steps().leftOutByLastSnapshot());
    Files.writeString(ws.root().resolve("later.txt"), "later\n");
    assertNotEquals(s1, ws.steps().snapshot(s1, "1.2 later"), "later snapshots work");
  }

  @Test
  void aNestedRepositoryIsLeftOutOfSnapshotsNotAReasonToFail() throws Exception {
    run("git init -q sub && echo inner > sub/inner.txt && mkdir -p dep && git init -q dep && echo d > dep/d.txt"
        + " && git -C dep add d.txt && git -C dep -c user.name=a -c user.email=a@a commit -q -m d && echo top > top.txt");
    String s1 = ws.steps().snapshot(s0, "1.1 nested");
    assertNotEquals(s0, s1);
    String files = GitRepos.git(tmp.resolve("workspaces/hostile-1.marathon/snapshots.git"), "ls-tree", "-r", "--name-only", s1);
    assertTrue(files.contains("top.txt"), files);
    assertFalse(files.contains("sub") || files.contains("dep"), "nested repositories are left out: " + files);
    Files.writeString(ws.root().resolve("later.txt"), "later\n");
    assertNotEquals(s1, ws.steps().snapshot(s1, "1.2 later"), "later snapshots work");
  }

  @Test
  void aRunInputNamingAnotherDirectoryIsRefusedBeforeAnythingIsTouched() throws Exception {
    Path victim = Files.createDirectories(tmp.resolve("victim"));
    Files.writeString(victim.resolve("keep.txt"), "keep\n");
    Workspaces workspaces = new Workspaces(tmp.resolve("workspaces"));
    for (WorkspaceKey hostile : List.of(
        new WorkspaceKey("../victim", repo.toString(), "marathon/x"),
        new WorkspaceKey("a/../../victim", repo.toString(), "marathon/x"),
        new WorkspaceKey(".hidden", repo.toString(), "marathon/x"),
        new WorkspaceKey("ok-1", "relative/repo", "marathon/ok-1"),
        new WorkspaceKey("ok-1", repo + "/../victim", "marathon/ok-1"),
        new WorkspaceKey("ok-1", repo.toString(), "main"),
        new WorkspaceKey("ok-1", repo.toString(), "marathon/../main"),
        new WorkspaceKey("ok-1", tmp.resolve("workspaces/hostile-1").toString(), "marathon/ok-1"),
        new WorkspaceKey("ok-1", tmp.toString(), "marathon/ok-1"))) {
      WorkspaceException e = org.junit.jupiter.api.Assertions.assertThrows(WorkspaceException.class, () -> workspaces.get(hostile), hostile.toString());
      assertTrue(e.permanent(), e.getMessage());
      assertTrue(e.getMessage().startsWith("refused a run's workspace: "), e.getMessage());
    }
    assertEquals("keep\n", Files.readString(victim.resolve("keep.txt")));
  }

  /** The review's exploits: another run's Marathon directory, a repository behind /proc/self/root, another run's branch or repository. */
  @Test
  void aRunInputCannotTakeAnotherRunsDirectoriesBranchOrRepository() throws Exception {
    Path other = GitRepos.create(tmp.resolve("other"), Map.of("o.txt", "o\n"));
    Workspaces workspaces = new Workspaces(tmp.resolve("workspaces"));
    for (WorkspaceKey hostile : List.of(
        new WorkspaceKey("hostile-1.marathon", repo.toString(), "marathon/hostile-1.marathon"),
        new WorkspaceKey("evil", "/proc/self/root" + repo, "marathon/evil"),
        new WorkspaceKey("evil", "/proc/self/root" + ws.root(), "marathon/evil"),
        new WorkspaceKey("evil", repo.toString(), "marathon/hostile-1"),
        new WorkspaceKey("evil.a1", repo.toString(), "marathon-swarm/other/evil.a1"),
        new WorkspaceKey("hostile-1", other.toString(), "marathon/hostile-1"))) {
      WorkspaceException e = org.junit.jupiter.api.Assertions.assertThrows(WorkspaceException.class, () -> workspaces.get(hostile), hostile.toString());
      assertTrue(e.permanent() && e.getMessage().startsWith("refused a run's workspace: "), e.getMessage());
    }
    assertTrue(Files.exists(tmp.resolve("workspaces/hostile-1.marathon/snapshots.git/HEAD")), "the victim's snapshots are intact");
    workspaces.get(new WorkspaceKey("evil.a1", repo.toString(), "marathon-swarm/evil/evil.a1")); // a sub-agent's own branch
  }

  /** A FIFO where git reads the agent's objects, a 3 GB HEAD, a nested repository and a large file with newlines in their names. */
  @Test
  void nothingTheAgentPlantsWedgesItsRun() throws Exception {
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(120), () -> {
      Files.writeString(ws.root().resolve("b.txt"), "b\n");
      run("git add b.txt && git -c user.name=a -c user.email=a@a commit -q -m b");
      String s1 = ws.steps().snapshot(s0, "1.1 commit");
      run("mkfifo .git/objects/pack/pack-0000000000000000000000000000000000000000.idx && mkfifo .git/index.lock2"
          + " && git init -q \"$(printf 'a\\nb')\" && truncate -s 101M \"$(printf 'y\\nsrc')\" && mkdir -p lib/src && echo c > lib/src/new.c");
      String s2 = ws.steps().snapshot(s1, "2.1 plant");
      String files = GitRepos.git(tmp.resolve("workspaces/hostile-1.marathon/snapshots.git"), "ls-tree", "-r", "--name-only", s2);
      assertTrue(files.contains("lib/src/new.c"), "a newline in a name left nothing else out: " + files);
      assertFalse(files.contains("inner") || files.contains("y\\nsrc") || files.contains("\"y"), files);
      ws.steps().changing();
      ws.steps().bringTo(s1);
      run("truncate -s 3G .git/HEAD");
      Files.writeString(ws.root().resolve("d.txt"), "d\n");
      String s3 = ws.steps().snapshot(s1, "3.1 huge HEAD");
      ws.steps().changing();
      ws.steps().bringTo(s2);
      ws.steps().changing();
      ws.steps().bringTo(s3);
      assertEquals("d\n", Files.readString(ws.root().resolve("d.txt")));
    });
  }

  /**
   * Plants the attack in the workspace, then runs every privileged step Marathon takes there: a
   * snapshot, a restore (a retried step), a restore to an older snapshot, a merge, the delivery.
   */
  private void attack(Consumer<Path> plant) throws Exception {
    Files.writeString(ws.root().resolve("b.txt"), "b\n");
    run("git add b.txt && git -c user.name=a -c user.email=a@a commit -q -m b");
    String s1 = ws.steps().snapshot(s0, "1.1 commit");
    Map<String, String> before = bytes(repo);
    String userMain = GitRepos.git(repo, "rev-parse", "HEAD");

    plant.accept(ws.root());
    Files.writeString(ws.root().resolve("c.txt"), "c\n");
    String s2 = ws.steps().snapshot(s1, "2.1 after the attack");
    assertEquals(before, bytes(repo), "a snapshot wrote the user's repository");
    ws.steps().changing();
    ws.steps().bringTo(s1);
    assertEquals(before, bytes(repo), "a restore wrote the user's repository");
    ws.steps().changing();
    ws.steps().bringTo(s2);
    plant.accept(ws.root());
    ws.steps().changing();
    ws.steps().bringTo(s0);
    assertEquals(before, bytes(repo), "a restore across the commit wrote the user's repository");
    plant.accept(ws.root());
    Files.writeString(ws.root().resolve("c.txt"), "c\n");
    SnapshotHistory.Merged merged = ws.history().merge(ws.steps().snapshot(s0, "3.1 again"), List.of(new SnapshotHistory.Merge(userMain, "merge")), "@0 +0000");
    assertEquals(before, bytes(repo), "a merge wrote the user's repository");

    assertTrue(Files.isDirectory(ws.root().resolve(".git"), LinkOption.NOFOLLOW_LINKS), "the workspace has a repository of its own again");
    assertEquals("marathon/hostile-1", GitRepos.git(ws.root(), "rev-parse", "--abbrev-ref", "HEAD"));
    assertEquals(userMain, GitRepos.git(repo, "rev-parse", "HEAD"));
    plant.accept(ws.root());
    ws.publishing().commit(ws.steps().snapshot(merged.snapshot(), "4.1"), "marathon: final", Git.IDENTITY);
    assertEquals(userMain, GitRepos.git(repo, "rev-parse", "main"), "the user's main did not move");
    assertEquals("A  staged.txt", GitRepos.git(repo, "status", "--porcelain").strip(), "the user's index is intact");
    assertEquals("c", GitRepos.git(repo, "show", "marathon/hostile-1:c.txt"), "the work is delivered on the run's branch");
  }

  private void run(String script) {
    try {
      Process p = new ProcessBuilder("bash", "-c", script).directory(ws.root().toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      assertEquals(0, p.waitFor(), out);
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** Every file under {@code dir} (links as their target's name), with its SHA-256. */
  private static Map<String, String> bytes(Path dir) throws IOException {
    Map<String, String> all = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.toList()) {
        String name = dir.relativize(p).toString();
        if (Files.isSymbolicLink(p)) all.put(name, "-> " + Files.readSymbolicLink(p));
        else if (Files.isRegularFile(p)) all.put(name, sha256(Files.readAllBytes(p)));
        else all.put(name, "dir");
      }
    } catch (Exception e) {
      throw new IOException(e);
    }
    return all;
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
