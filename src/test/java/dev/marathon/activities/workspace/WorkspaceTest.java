package dev.marathon.activities.workspace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.testing.GitRepos;
import dev.marathon.workflows.api.WorkspaceKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshots and restores: what makes a retried step start exactly where its first attempt did. */
class WorkspaceTest {
  @TempDir Path tmp;
  Path repo;
  Workspace ws;

  @BeforeEach
  void setUp() throws Exception {
    repo = GitRepos.create(tmp.resolve("repo"), Map.of("a.txt", "a\n", ".gitignore", "build/\n"));
    ws = new Workspaces(tmp.resolve("workspaces")).get(new WorkspaceKey("ws-1", repo.toString(), "marathon/ws-1"));
  }

  @Test
  void beginMakesTheRunsOwnRepositoryOnItsBranchAndIsIdempotent() {
    String userBefore = GitRepos.fingerprint(repo);
    String refsBefore = GitRepos.git(repo, "for-each-ref");
    Steps.Begun first = ws.steps().begin();
    assertEquals(GitRepos.git(repo, "rev-parse", "HEAD"), first.baseCommit());
    assertEquals("marathon/ws-1", GitRepos.git(ws.root(), "rev-parse", "--abbrev-ref", "HEAD"));
    assertTrue(Files.isDirectory(ws.root().resolve(".git")), "its own repository, not a worktree of the user's");
    assertEquals("a\n", GitRepos.git(ws.root(), "show", "HEAD:a.txt") + "\n", "the user's objects are borrowed");
    Steps.Begun again = new Workspaces(tmp.resolve("workspaces")).get(ws.key()).steps().begin();
    assertEquals(first, again);
    assertEquals(userBefore, GitRepos.fingerprint(repo));
    assertEquals(refsBefore, GitRepos.git(repo, "for-each-ref"), "no branch, no snapshot ref in the user's repository");
    assertFalse(Files.exists(repo.resolve(".git/worktrees")), "no worktree of the user's repository");
  }

  @Test
  void snapshotsKeepTheExactBytesWhateverTheRepositorysAttributesSay() throws Exception {
    Path crlf = GitRepos.create(tmp.resolve("crlf"), Map.of(".gitattributes", "* text eol=lf\n", "a.txt", "a\n"));
    Workspace w = new Workspaces(tmp.resolve("ws-crlf")).get(new WorkspaceKey("crlf-1", crlf.toString(), "marathon/crlf-1"));
    String s0 = w.steps().begin().snapshot();
    byte[] windows = "line one\r\nline two\r\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Files.write(w.root().resolve("win.txt"), windows);
    String s1 = w.steps().snapshot(s0, "1.1 write");
    Files.write(w.root().resolve("win.txt"), "garbage".getBytes());
    w.steps().changing();
    w.steps().bringTo(s1);
    assertArrayEquals(windows, Files.readAllBytes(w.root().resolve("win.txt")), "a restore gives back the very bytes");
  }

  /** {@code ./marathon diff ID | git apply}: the patch is whole, final newline included, and applies to the start. */
  @Test
  void aDiffBetweenSnapshotsIsAPatchGitApplies() throws Exception {
    String s0 = ws.steps().begin().snapshot();
    Files.writeString(ws.root().resolve("a.txt"), "a\nb\n");
    Files.writeString(ws.root().resolve("new.txt"), "new\n");
    String s1 = ws.steps().snapshot(s0, "1.1 bash");
    String patch = ws.history().diff(s0, s1);
    assertTrue(patch.endsWith("+new\n"), patch);
    Path copy = GitRepos.create(tmp.resolve("copy"), Map.of("a.txt", "a\n", ".gitignore", "build/\n"));
    Path file = Files.writeString(tmp.resolve("run.patch"), patch);
    GitRepos.git(copy, "apply", file.toString());
    assertEquals("a\nb\n", Files.readString(copy.resolve("a.txt")));
    assertEquals("new\n", Files.readString(copy.resolve("new.txt")));
    assertEquals("", ws.history().diff(s1, s1));
  }

  /**
   * A merge rewrites Marathon's index to the merged tree; a gitlink it bumps writes no file (so no
   * change notification): the merge's snapshot must still be the merged tree, as a whole-tree scan has it.
   */
  @Test
  void aMergeThatChangesOnlyAGitlinkIsInItsSnapshot() throws Exception {
    Path user = GitRepos.create(tmp.resolve("gitlink"), Map.of("a.txt", "a\n"));
    String x = GitRepos.git(user, "rev-parse", "HEAD");
    GitRepos.git(user, "update-index", "--add", "--cacheinfo", "160000," + x + ",sub");
    GitRepos.git(user, "commit", "-q", "-m", "sub");
    String y = GitRepos.git(user, "rev-parse", "HEAD");
    GitRepos.git(user, "checkout", "-q", "-b", "bump");
    GitRepos.git(user, "update-index", "--cacheinfo", "160000," + y + ",sub");
    GitRepos.git(user, "commit", "-q", "-m", "bump");
    String bump = GitRepos.git(user, "rev-parse", "HEAD");
    GitRepos.git(user, "checkout", "-q", "main");
    Workspace w = new Workspaces(tmp.resolve("ws-gitlink")).get(new WorkspaceKey("gl-1", user.toString(), "marathon/gl-1"));
    String s0 = w.steps().begin().snapshot();
    Files.writeString(w.root().resolve("a.txt"), "a\nwip\n");
    String s1 = w.steps().snapshot(s0, "wip");
    String merged = w.history().merge(s1, List.of(new SnapshotHistory.Merge(bump, "merge bump")), "@0 +0000").snapshot();
    assertEquals(GitRepos.git(w.snapshots(), "ls-tree", merged + "^1", "sub"), GitRepos.git(w.snapshots(), "ls-tree", merged, "sub"),
        "the bumped gitlink, as in the merge commit");
    w.steps().setupDone();
    assertEquals(merged, w.steps().snapshot(merged, "whole tree"), "a whole-tree scan finds nothing more");
  }

  /**
   * Two worker processes of one machine serving a run (a retry that went to the other): each must
   * notice the other took a step here, not trust what it last knew of the workspace.
   */
  @Test
  void aRetryAfterAnotherProcessTookAStepHereRestoresItsStart() throws Exception {
    Workspace first = ws;
    Workspace second = new Workspaces(tmp.resolve("workspaces")).get(ws.key());
    String s0 = first.steps().begin().snapshot();
    first.steps().bringTo(s0);
    first.steps().changing();
    Files.writeString(first.root().resolve("a.txt"), "1\n");
    String s1 = first.steps().snapshot(s0, "step on the first");
    second.steps().bringTo(s1);
    second.steps().changing();
    Files.writeString(second.root().resolve("a.txt"), "2\n");
    second.steps().snapshot(s1, "step on the second, whose result the workflow never got");
    first.steps().bringTo(s1); // the retry, on the first
    assertEquals("1\n", Files.readString(first.root().resolve("a.txt")));
  }

  @Test
  void anUnchangedTreeNeedsNoNewSnapshot() {
    String s0 = ws.steps().begin().snapshot();
    assertEquals(s0, ws.steps().snapshot(s0, "read only"));
  }

  /** A file tool's step looks at the path it wrote alone, and makes the tree a whole-tree scan would. */
  @Test
  void aFileToolsSnapshotLooksAtItsPathAlone() throws Exception {
    String s0 = ws.steps().begin().snapshot();
    Files.createDirectories(ws.root().resolve("src/deep"));
    Files.writeString(ws.root().resolve("src/deep/new.txt"), "new\n");
    String s1 = ws.steps().snapshot(s0, "1.1 write_file", "src/deep/new.txt");
    assertNotEquals(s0, s1);
    assertEquals(s1, ws.steps().snapshot(s1, "whole tree"), "a scan of the whole tree finds nothing more");

    // Only the named path is looked at (which is why only a file tool, whose step cannot touch
    // anything else, names one): a file it did not write is found by the next whole-tree scan.
    Files.writeString(ws.root().resolve("unnamed.txt"), "x\n");
    assertEquals(s1, ws.steps().snapshot(s1, "1.2 write_file", "src/deep/new.txt"));
    String s2 = ws.steps().snapshot(s1, "1.3 bash");
    assertNotEquals(s1, s2);

    // An ignored path, named: git refuses it, the whole tree is scanned, and it stays out as always.
    Files.createDirectories(ws.root().resolve("build"));
    Files.writeString(ws.root().resolve("build/out.txt"), "a cache\n");
    assertEquals(s2, ws.steps().snapshot(s2, "1.4 write_file", "build/out.txt"));
  }

  @Test
  void restoreUndoesWhateverACrashedAttemptLeft() throws Exception {
    String s0 = ws.steps().begin().snapshot();
    Files.writeString(ws.root().resolve("a.txt"), "a\nb\n");
    Files.writeString(ws.root().resolve("new.txt"), "new\n");
    String s1 = ws.steps().snapshot(s0, "1.1 edit");
    assertNotEquals(s0, s1);

    // A crashed attempt of the next step: edits, deletes, untracked files, even a commit.
    Files.writeString(ws.root().resolve("a.txt"), "garbage\n");
    Files.delete(ws.root().resolve("new.txt"));
    Files.writeString(ws.root().resolve("junk.txt"), "junk\n");
    Files.createDirectories(ws.root().resolve("build"));
    Files.writeString(ws.root().resolve("build/cache"), "ignored files are caches\n");
    GitRepos.git(ws.root(), "add", "-A");
    GitRepos.git(ws.root(), "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-q", "-m", "half-done");

    ws.steps().changing(); // what a new attempt (or a new process) knows: nothing
    ws.steps().bringTo(s1);
    assertEquals("a\nb\n", Files.readString(ws.root().resolve("a.txt")));
    assertEquals("new\n", Files.readString(ws.root().resolve("new.txt")));
    assertFalse(Files.exists(ws.root().resolve("junk.txt")));
    assertTrue(Files.exists(ws.root().resolve("build/cache")), "ignored files are left alone");
    assertEquals(GitRepos.git(repo, "rev-parse", "main"), GitRepos.git(ws.root(), "rev-parse", "HEAD"), "the half-done commit was undone");
    assertEquals("marathon/ws-1", GitRepos.git(ws.root(), "rev-parse", "--abbrev-ref", "HEAD"));
    assertEquals(s1, ws.steps().snapshot(s1, "unchanged after restore"));
  }

  /**
   * After a restore the agent's index carries the stat data Marathon's own index has, so its first
   * {@code git status} compares stat data instead of hashing every file; and still tells the truth.
   */
  @Test
  void theAgentsIndexAfterARestoreHasStatDataAndStatusIsExact() throws Exception {
    String s0 = ws.steps().begin().snapshot();
    Files.writeString(ws.root().resolve("a.txt"), "changed, not committed\n");
    Files.writeString(ws.root().resolve("untracked.txt"), "new\n");
    String s1 = ws.steps().snapshot(s0, "1.1 edit");
    Files.writeString(ws.root().resolve("a.txt"), "a crashed attempt\n");
    ws.steps().changing();
    ws.steps().bringTo(s1);
    String debug = GitRepos.git(ws.root(), "ls-files", "--debug", ".gitignore");
    assertFalse(debug.contains("mtime: 0:0"), ".gitignore, as at HEAD, keeps its stat data: " + debug);
    assertEquals("M a.txt\n?? untracked.txt", GitRepos.git(ws.root(), "status", "--porcelain")); // (stripped: " M a.txt")
    // A same-size edit right after the restore (in the second its index was written) is still seen.
    Files.writeString(ws.root().resolve(".gitignore"), "bxild/\n");
    assertEquals("M .gitignore\n M a.txt\n?? untracked.txt", GitRepos.git(ws.root(), "status", "--porcelain"));
  }

  @Test
  void aDeletedCheckoutIsRecreatedAtTheSnapshot() throws Exception {
    String s0 = ws.steps().begin().snapshot();
    Files.writeString(ws.root().resolve("b.txt"), "b\n");
    String s1 = ws.steps().snapshot(s0, "1.1");
    Workspace.deleteTree(ws.root());
    Workspace fresh = new Workspaces(tmp.resolve("workspaces")).get(ws.key()); // another process
    fresh.steps().bringTo(s1);
    assertEquals("b\n", Files.readString(fresh.root().resolve("b.txt")));
    assertEquals("marathon/ws-1", GitRepos.git(fresh.root(), "rev-parse", "--abbrev-ref", "HEAD"));
  }

  @Test
  void commitPutsAllWorkOnTheBranchRemovesTheCheckoutAndARetryDoesNotCommitTwice() throws Exception {
    String s0 = ws.steps().begin().snapshot();
    Files.writeString(ws.root().resolve("c.txt"), "c\n");
    String s1 = ws.steps().snapshot(s0, "1.1");
    String userBefore = GitRepos.fingerprint(repo);
    String head = ws.publishing().commit(s1, "marathon: final", Git.IDENTITY);
    assertEquals(head, GitRepos.git(repo, "rev-parse", "marathon/ws-1"));
    assertEquals("c\n", GitRepos.git(repo, "show", "marathon/ws-1:c.txt") + "\n");
    assertFalse(Files.exists(ws.root()), "the finished run's checkout is gone");
    try (var left = Files.list(tmp.resolve("workspaces/ws-1.marathon"))) {
      List<String> index = left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("index") || n.startsWith("sharedindex.")).toList();
      assertEquals(List.of(), index, "and Marathon's index of it (15 MB at 92,000 files)");
    }
    assertEquals(userBefore, GitRepos.fingerprint(repo), "only the run's branch moved");
    assertEquals(head, new Workspaces(tmp.resolve("workspaces")).get(ws.key()).publishing().commit(s1, "marathon: final", Git.IDENTITY));
    assertEquals("2", GitRepos.git(repo, "rev-list", "--count", "marathon/ws-1"));
  }

  @Test
  void theAgentsOwnCommitsSurviveItsGcAndComeBackOnRestore() throws Exception {
    String s0 = ws.steps().begin().snapshot();
    Files.writeString(ws.root().resolve("d.txt"), "d\n");
    GitRepos.git(ws.root(), "add", "-A");
    GitRepos.git(ws.root(), "-c", "user.name=a", "-c", "user.email=a@a", "commit", "-q", "-m", "agent commit");
    String agentCommit = GitRepos.git(ws.root(), "rev-parse", "HEAD");
    String s1 = ws.steps().snapshot(s0, "1.1 commit");
    // A later attempt resets and prunes everything it can.
    GitRepos.git(ws.root(), "reset", "-q", "--hard", "HEAD~1");
    GitRepos.git(ws.root(), "reflog", "expire", "--expire=now", "--all");
    GitRepos.git(ws.root(), "gc", "-q", "--prune=now");
    ws.steps().changing();
    ws.steps().bringTo(s1);
    assertEquals(agentCommit, GitRepos.git(ws.root(), "rev-parse", "HEAD"));
    assertEquals("d\n", GitRepos.git(ws.root(), "show", "HEAD:d.txt") + "\n");
  }

  @Test
  void marathonsOwnGitRunsNoHookFilterOrFsmonitorTheAgentPlanted() throws Exception {
    Path markers = Files.createDirectories(tmp.resolve("markers"));
    String s0 = ws.steps().begin().snapshot();
    Path hooks = Files.createDirectories(ws.root().resolve(".git/hooks"));
    for (String h : new String[] {"reference-transaction", "post-checkout", "post-index-change", "pre-commit", "post-commit", "pre-auto-gc"}) {
      Path hook = hooks.resolve(h);
      Files.writeString(hook, "#!/bin/sh\ntouch " + markers.resolve("hook-" + h) + "\n");
      hook.toFile().setExecutable(true);
    }
    GitRepos.git(ws.root(), "config", "core.hooksPath", ".git/hooks");
    GitRepos.git(ws.root(), "config", "filter.evil.clean", "touch " + markers.resolve("clean") + "; cat");
    GitRepos.git(ws.root(), "config", "filter.evil.smudge", "touch " + markers.resolve("smudge") + "; cat");
    GitRepos.git(ws.root(), "config", "core.fsmonitor", markers.resolve("fsmonitor-hook").toString());
    Files.writeString(markers.resolve("fsmonitor-hook"), "#!/bin/sh\ntouch " + markers.resolve("fsmonitor") + "\n");
    markers.resolve("fsmonitor-hook").toFile().setExecutable(true);
    Files.writeString(ws.root().resolve(".gitattributes"), "* filter=evil\n");
    Files.writeString(ws.root().resolve("x.txt"), "x\n");
    String s1 = ws.steps().snapshot(s0, "1.1 plant");
    Files.writeString(ws.root().resolve("x.txt"), "changed by a dead attempt\n");
    ws.steps().changing();
    ws.steps().bringTo(s1);   // restore: files, HEAD and the agent's index
    ws.steps().bringTo(s0);   // and back further, across the commit of the hooks' config
    ws.publishing().commit(ws.steps().snapshot(s0, "2.1"), "marathon: final", Git.IDENTITY);
    try (var planted = Files.list(markers)) {
      assertEquals(java.util.List.of("fsmonitor-hook"), planted.map(p -> p.getFileName().toString()).sorted().toList(),
          "Marathon's git ran something the agent planted");
    }
  }

  @Test
  void aMissingRepositoryIsPermanent() {
    Workspace gone = new Workspaces(tmp.resolve("workspaces")).get(new WorkspaceKey("ws-2", tmp.resolve("nope").toString(), "marathon/ws-2"));
    WorkspaceException e = assertThrows(WorkspaceException.class, gone.steps()::begin);
    assertTrue(e.permanent());
    assertTrue(e.getMessage().contains("does not exist"));
  }
}
