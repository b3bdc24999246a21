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
  /** What the last {@link #step}'s snapshot told the agent it left out. */
  String told;
  /** The last step's snapshot. */
  String last;

  @BeforeEach
  void setUp() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("a.txt", "a\n", ".gitignore", "build/\n*.log\n", "d/one.txt", "1\n",
        "d/sub/two.txt", "2\n", "gone.txt", "bye\n", "keep/k.txt", "k\n"));
    ws = new Workspaces(tmp.resolve("workspaces")).get(new WorkspaceKey("sh-1", repo.toString(), "marathon/sh-1"));
  }

  @Test
  void whatCommandsChangeIsSnapshottedExactlyWithoutAWholeTreeScan() throws Exception {
    String s = ws.steps().begin().snapshot();
    for (String command : List.of(
        "echo more >> a.txt; sed -i s/k/K/ keep/k.txt; rm gone.txt",
        "mkdir -p new/deep/er && echo x > new/deep/er/x.txt; t=$(mktemp -p .); echo tmp > $t; rm $t",
        "mv d renamed",
        "echo later > renamed/sub/three.txt; echo changed > renamed/one.txt", // written through the watch of a moved directory
        "chmod +x a.txt; ln -s a.txt link; mkdir build; echo out > build/o.txt; echo log > x.log; touch keep",
        "rm -r renamed; mkdir renamed; echo again > renamed/r.txt",
        "mv new/deep/er er; rmdir new/deep; echo y > er/y.txt",
        "sed -i s/more/less/ a.txt; rm a.txt", // a rename over a file says only "created"; then it is removed
        "rm -r er; ln -s keep er",
        "rm er; mkdir er; echo n > er/n",
        "rm -r er; echo f > er",
        "rm er; mkdir -p er/sub; echo q > er/sub/q.txt",
        "touch -- -x '*' '[ab]' 'a\\b' $'nl\\nx' ':(exclude)keep/k.txt' ' lead'; mkdir -- -dir; touch -- -dir/f",
        "rm -- -x '*' $'nl\\nx'; rm -r -- -dir")) {
      s = step(s, command, true);
    }
    assertEquals(s, ws.steps().snapshot(s, "read only"), "nothing changed, nothing new");
  }

  /**
   * A directory moved from one watched directory to another keeps its watch: it must be named anew,
   * not lost when the old name's removal is handled after the new name's creation (1,500 events of
   * another directory first keep the notifications busy, so that order is the usual one).
   */
  @Test
  void aDirectoryMovedBetweenDirectoriesStaysWatched() throws Exception {
    String s = ws.steps().begin().snapshot();
    s = step(s, "mkdir -p x/m y && echo 1 > x/m/f && mkdir x/m/s && echo 1 > x/m/s/g", true);
    s = step(s, "mkdir -p .git/stage/big/{1..1500}; perl -e 'rename(\".git/stage/big\", \"keep/big\") or die;"
        + " open(F, \">y/z\"); close F; rename(\"x/m\", \"y/m\") or die'", false);
    s = step(s, "echo 2 > y/m/f; echo 2 > y/m/s/g", true);
    assertEquals("2", GitRepos.git(ws.snapshots(), "show", s + ":y/m/s/g"));
  }

  @Test
  void aNestedRepositoryWithCommitsIsLeftOutAsAWholeTreeScanLeavesItOut() throws Exception {
    String s = ws.steps().begin().snapshot();
    String commit = "git init -q && echo x > f && git add f && git -c user.name=a -c user.email=b@c commit -qm m";
    s = step(s, "mkdir dep && cd dep && " + commit, false); // paths inside a nested repository: the whole tree
    assertTrue(told.contains("dep"), "the agent is told: " + told);
    s = step(s, "mkdir -p .git/stage/lib && cd .git/stage/lib && " + commit + " && cd - && mv .git/stage/lib lib", true); // one new directory
    assertTrue(told.contains("lib"), "the agent is told: " + told);
    assertEquals("", GitRepos.git(ws.snapshots(), "ls-tree", s, "dep", "lib"), "no bare commit id in the snapshot");
  }

  /** Cases where the notifications cannot vouch: each snapshot is still exactly the whole tree's. */
  @Test
  void hardLinksLinksOutOfTheTreeAndUnnamableNamesFallBackToTheWholeTree() throws Exception {
    String s = ws.steps().begin().snapshot();
    s = step(s, "mkdir keep/lib; mv keep kept; ln -s /usr keep", false); // the JDK's watch would follow the link
    s = step(s, "ln a.txt d/hard.txt", false);
    s = step(s, "echo more >> d/hard.txt; chmod +x d/hard.txt", false);
    assertEquals("a\nmore", GitRepos.git(ws.snapshots(), "show", s + ":a.txt"));
    s = step(s, "echo again >> d/hard.txt; rm d/hard.txt", false); // the other name written through, then gone
    s = step(s, "echo hi > $'bad\\xff.txt'; mkdir $'dir\\xfe'; echo z > $'dir\\xfe/z'", false);
    assertTrue(GitRepos.git(ws.snapshots(), "ls-tree", "-r", "--name-only", s).contains("/z"), "the file in the unnamable directory");
    for (String linkInANewDirectory : List.of(
        "perl -e 'mkdir \"t\"; link(\"keep/k.txt\", \"t/h\"); open(F, \">>t/h\"); print F \"x\\n\"; close F'",
        "mkdir .git/stage && ln gone.txt .git/stage/h && echo x >> .git/stage/h && mv .git/stage u")) {
      ws = new Workspaces(tmp.resolve("w-" + Math.abs(linkInANewDirectory.hashCode()))).get(ws.key());
      String t = step(ws.steps().begin().snapshot(), linkInANewDirectory, false);
      step(t, "echo more >> " + (linkInANewDirectory.startsWith("perl") ? "t/h" : "u/h"), false);
    }
  }

  /** A second name found in a new directory (here one kept in .git) turns the notifications off, so a write through it is seen. */
  @Test
  void aSecondNameFoundInANewDirectoryTurnsTheNotificationsOff() throws Exception {
    String s = ws.steps().begin().snapshot();
    s = step(s, "mkdir .git/stage && echo x > .git/stage/f && ln .git/stage/f .git/f2 && mv .git/stage n", false);
    s = step(s, "echo y > .git/f2", false);
    assertEquals("y", GitRepos.git(ws.snapshots(), "show", s + ":n/f"));
  }

  /** What no notification reports (a write through a shared memory map) is in the record within WHOLE_TREE_EVERY steps. */
  @Test
  void aWriteThroughAMemoryMapIsInTheRecordWithinAFewSteps() throws Exception {
    String s = ws.steps().begin().snapshot();
    bash("python3 -c \"import mmap; f=open('keep/k.txt','r+b'); m=mmap.mmap(f.fileno(),0); m[0:1]=b'Z'; m.flush()\"");
    for (int i = 0; i < SnapshotIndex.WHOLE_TREE_EVERY + 1; i++) {
      bash("echo " + i + " >> a.txt");
      s = ws.steps().snapshot(s, "step " + i);
    }
    assertEquals("Z", GitRepos.git(ws.snapshots(), "show", s + ":keep/k.txt"));
  }

  /**
   * Runs {@code command}, takes its step's snapshot (from the notifications, when {@code
   * fromNotifications}), and checks it against a whole-tree {@code git add -A} of the test's own;
   * steps follow one another without a whole-tree scan between them, as in a run.
   */
  /**
   * What most steps do — edit, create, delete, chmod, link, files an ignore rule covers — is built
   * by Marathon itself from the tree the step began at, without starting git, and must be the
   * tree git would make; what it cannot be sure of goes to git, and must be that tree too.
   */
  @Test
  void mostStepsAreBuiltWithoutGitAndExactlyAsGitWouldBuildThem() throws Exception {
    String s = ws.steps().begin().snapshot();
    s = step(s, "mkdir -p build/deep new; echo o > build/deep/o.txt; echo n > new/n.txt", true); // new directories: git
    for (String command : List.of(
        "echo more >> a.txt; sed -i s/k/K/ keep/k.txt; rm gone.txt",
        "echo x > d/new.txt; echo y > d/sub/new.log; echo z > build/deep/p.txt; echo w > build/q",
        "chmod +x a.txt; ln -s a.txt d/link; ln -s nowhere dangling; echo n2 > new/n2.txt",
        "rm -r d/sub; echo again > new/n.txt; : > empty",
        "rm d/link; echo f > d/link; chmod -x a.txt; printf 'crlf\r\n' > new/crlf.txt",
        "rm -r new; rm d/one.txt", // a directory emptied goes from the tree
        "echo 'é' > keep/café.txt; echo 2 > keep/k.txt; echo log > keep/x.log")) {
      s = builtByMarathon(s, command);
    }
    Files.writeString(ws.root().resolve("keep/written-by-a-tool.txt"), "tool\n");
    int git = ws.steps().gitSnapshots();
    s = ws.steps().snapshot(s, "write_file", "keep/written-by-a-tool.txt");
    assertEquals(git, ws.steps().gitSnapshots(), "a file tool's write is built without git too");
    assertEquals(wholeTree(), tree(s));
    s = builtByMarathon(s, "echo 3 > keep/written-by-a-tool.txt");
    s = step(s, "mkdir -p fresh/a; echo 1 > fresh/a/f; echo 2 > keep/k.txt", true); // a new directory: git, and what Marathon built before is named to it
    s = builtByMarathon(s, "echo 4 > fresh/a/f");
    s = step(s, "printf '/keep\\n!keep/un.txt\\n!*.keep\\n' >> .gitignore", false); // an ignore file changed: the whole tree
    // keep/ is tracked and now ignored: a change to its tracked file is taken, its new files are not (no rule below an ignored directory counts)
    s = builtByMarathon(s, "echo 1 > keep/new.txt; echo 2 > keep/un.txt; echo 3 > keep/k.txt; echo 4 > d/x.log; echo 5 > d/y.keep");
  }

  private String builtByMarathon(String s, String command) throws Exception {
    int git = ws.steps().gitSnapshots();
    String next = step(s, command, true);
    assertEquals(git, ws.steps().gitSnapshots(), "built without git: " + command);
    assertNotEquals(s, next, command);
    return next;
  }

  private String step(String s, String command, boolean fromNotifications) throws Exception {
    bash(command);
    int scans = ws.steps().wholeTreeScans();
    String next = ws.steps().snapshot(s, command);
    last = next;
    told = String.valueOf(ws.steps().leftOutByLastSnapshot());
    if (fromNotifications) assertEquals(scans, ws.steps().wholeTreeScans(), "no whole-tree scan for: " + command);
    assertEquals(wholeTree(s), tree(next), "a whole-tree git add -A after: " + command);
    return next;
  }

  /** At the end of a test: Marathon's own whole-tree scan finds nothing more either. */
  @org.junit.jupiter.api.AfterEach
  void aWholeTreeScanFindsNothingMore() {
    if (last == null) return;
    ws.steps().setupDone(); // the next snapshot scans the whole tree
    assertEquals(last, ws.steps().snapshot(last, "whole tree"));
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

  /**
   * Marathon's index does not see what a step built without git recorded: before git looks at the
   * work tree again (a whole-tree scan, a new directory) or a restore, it must track what that
   * tree tracks — a file added then covered by a rule stays, a file removed then made again under
   * a rule stays out — and a name git refuses must never reach a snapshot (a restore of it fails).
   */
  @Test
  void whatWasBuiltWithoutGitIsWhatGitThenTracks() throws Exception {
    String s = ws.steps().begin().snapshot();
    s = step(s, "mkdir -p z e; echo > z/f; echo > e/f", true);
    String before = builtByMarathon(s, "echo 1 > d/gen.txt; echo 1 > e/gen.txt; rm d/one.txt; echo one > a.txt");
    s = step(before, "echo gen.txt >> .gitignore; echo '*.txt' >> .gitignore", false); // the whole tree: gen.txt is tracked, and stays
    assertEquals("1", GitRepos.git(ws.snapshots(), "show", s + ":d/gen.txt"));
    s = builtByMarathon(s, "echo back > d/one.txt; rm e/gen.txt"); // untracked and ignored: it stays out
    s = step(s, "mkdir y; echo > y/f; echo 2 > d/gen.txt; echo back > e/gen.txt", true); // a new directory: git, after the index caught up
    assertEquals("2", GitRepos.git(ws.snapshots(), "show", s + ":d/gen.txt"));
    s = step(s, "echo x > 'd/a\\.git'; echo y > d/x\\y; echo 3 > d/gen.txt", false); // names git refuses: git, which leaves d/a\\.git out
    assertTrue(told.contains("a\\.git"), told);
    s = step(s, "echo y >> keep/k.txt", true);
    ws.steps().bringTo(before);
    last = before; // and Marathon's own whole-tree scan must find it so too
    assertEquals(tree(before), wholeTree(before), "restored to a tree built without git");
    assertEquals("1\n", Files.readString(ws.root().resolve("d/gen.txt")));
    assertTrue(Files.notExists(ws.root().resolve("d/one.txt")) && Files.notExists(ws.root().resolve("y")));
  }

  /**
   * Where the index lags a tree built without git is on disk, not in the worker's memory: a
   * restarted worker, or another worker process that took a step in between, must see it before
   * git looks at the work tree, or it takes a file that tree removed for a tracked one and its
   * restore deletes an ignored file the run still has (a build's output, say); and a worker must
   * not apply what it knew from before another process's steps.
   */
  @Test
  void anotherWorkerProcessSeesWhereTheIndexLags() throws Exception {
    String s = ws.steps().begin().snapshot();
    s = step(s, "mkdir z; echo > z/f; echo 1 > d/x.gen", true);
    s = step(s, "echo '*.gen' >> .gitignore", false); // d/x.gen is tracked, and stays
    s = builtByMarathon(s, "rm d/x.gen");
    bash("echo 'fresh build output' > d/x.gen"); // untracked now, and ignored
    assertEquals(s, ws.steps().snapshot(s, "bash"));
    Workspace restarted = new Workspaces(tmp.resolve("workspaces")).get(ws.key());
    restarted.steps().bringTo(s);
    assertTrue(Files.exists(ws.root().resolve("d/x.gen")), "an ignored file the run made is kept by the restarted worker");
    assertEquals("fresh build output\n", Files.readString(ws.root().resolve("d/x.gen")));

    String s1 = builtByMarathon(s, "echo 1 > g"); // the first process builds; its index lags at g
    restarted.steps().bringTo(s1);
    bash("rm g");
    String s2 = restarted.steps().snapshot(s1, "bash");
    bash("echo g >> .gitignore; echo precious > g");
    String s3 = restarted.steps().snapshot(s2, "bash");
    assertEquals(wholeTree(s2), tree(s3));
    ws.steps().bringTo(s3); // back on the first process, which must not reapply what it knew of g
    assertTrue(Files.exists(ws.root().resolve("g")), "the first process did not reapply its old knowledge of g");
    assertEquals("precious\n", Files.readString(ws.root().resolve("g")));
    last = s3;
  }

  /** A file tool's write of an ignore file changes what is ignored everywhere below it: the whole tree. */
  @Test
  void aFileToolWritingAnIgnoreFileScansTheWholeTree() throws Exception {
    String s = ws.steps().begin().snapshot();
    s = step(s, "echo log > x.log", true); // ignored: not in the tree
    Files.writeString(ws.root().resolve(".gitignore"), "*.tmp\n");
    String next = ws.steps().snapshot(s, "write_file", ".gitignore");
    assertEquals(wholeTree(s), tree(next));
    assertEquals("log", GitRepos.git(ws.snapshots(), "show", next + ":x.log"));
    last = next;
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

  /** The tree of a whole-tree {@code git add -A} through an index of the test's own, but for what Marathon leaves out. */
  private String wholeTree() throws Exception {
    return wholeTree(null);
  }

  /**
   * The tree {@code git add -A} makes of the whole work tree, through an index of the test's own
   * that tracks what {@code previous} (a snapshot, or null: nothing) holds: a file tracked there is
   * taken even where an ignore rule now covers it.
   */
  private String wholeTree(String previous) throws Exception {
    Path index = tmp.resolve("oracle-index");
    Files.deleteIfExists(index);
    if (previous != null) git(index, "read-tree", tree(previous));
    List<String> add = new java.util.ArrayList<>(List.of("add", "-A", "--", "."));
    add.addAll(new LeftOut(ws.meta().resolve("left-out")).excludes()); // what Marathon said it leaves out (nested repositories)
    git(index, add.toArray(String[]::new));
    return git(index, "write-tree");
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
