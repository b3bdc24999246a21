package dev.marathon.activities.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.testing.GitRepos;
import dev.marathon.workflows.api.WorkspaceKey;
import java.nio.file.Files;
import java.nio.file.Path;
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
  void beginMakesAWorktreeOnTheRunBranchAndIsIdempotent() {
    String userBefore = GitRepos.fingerprint(repo);
    Workspace.Begun first = ws.begin();
    assertEquals(GitRepos.git(repo, "rev-parse", "HEAD"), first.baseCommit());
    assertEquals("marathon/ws-1", GitRepos.git(ws.root(), "rev-parse", "--abbrev-ref", "HEAD"));
    Workspace.Begun again = new Workspaces(tmp.resolve("workspaces")).get(ws.key()).begin();
    assertEquals(first, again);
    assertEquals(userBefore, GitRepos.fingerprint(repo));
  }

  @Test
  void anUnchangedTreeNeedsNoNewSnapshot() {
    String s0 = ws.begin().snapshot();
    assertEquals(s0, ws.snapshot(s0, "read only"));
  }

  @Test
  void restoreUndoesWhateverACrashedAttemptLeft() throws Exception {
    String s0 = ws.begin().snapshot();
    Files.writeString(ws.root().resolve("a.txt"), "a\nb\n");
    Files.writeString(ws.root().resolve("new.txt"), "new\n");
    String s1 = ws.snapshot(s0, "1.1 edit");
    assertNotEquals(s0, s1);

    // A crashed attempt of the next step: edits, deletes, untracked files, even a commit.
    Files.writeString(ws.root().resolve("a.txt"), "garbage\n");
    Files.delete(ws.root().resolve("new.txt"));
    Files.writeString(ws.root().resolve("junk.txt"), "junk\n");
    Files.createDirectories(ws.root().resolve("build"));
    Files.writeString(ws.root().resolve("build/cache"), "ignored files are caches\n");
    GitRepos.git(ws.root(), "add", "-A");
    GitRepos.git(ws.root(), "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-q", "-m", "half-done");

    ws.changing(); // what a new attempt (or a new process) knows: nothing
    ws.bringTo(s1);
    assertEquals("a\nb\n", Files.readString(ws.root().resolve("a.txt")));
    assertEquals("new\n", Files.readString(ws.root().resolve("new.txt")));
    assertFalse(Files.exists(ws.root().resolve("junk.txt")));
    assertTrue(Files.exists(ws.root().resolve("build/cache")), "ignored files are left alone");
    assertEquals(GitRepos.git(repo, "rev-parse", "main"), GitRepos.git(ws.root(), "rev-parse", "HEAD"), "the half-done commit was undone");
    assertEquals("marathon/ws-1", GitRepos.git(ws.root(), "rev-parse", "--abbrev-ref", "HEAD"));
    assertEquals(s1, ws.snapshot(s1, "unchanged after restore"));
  }

  @Test
  void aDeletedWorktreeIsRecreatedAtTheSnapshot() throws Exception {
    String s0 = ws.begin().snapshot();
    Files.writeString(ws.root().resolve("b.txt"), "b\n");
    String s1 = ws.snapshot(s0, "1.1");
    GitRepos.git(repo, "worktree", "remove", "--force", ws.root().toString());
    Workspace fresh = new Workspaces(tmp.resolve("workspaces")).get(ws.key()); // another process
    fresh.bringTo(s1);
    assertEquals("b\n", Files.readString(fresh.root().resolve("b.txt")));
    assertEquals("marathon/ws-1", GitRepos.git(fresh.root(), "rev-parse", "--abbrev-ref", "HEAD"));
  }

  @Test
  void commitPutsAllWorkOnTheBranchAndARetryDoesNotCommitTwice() throws Exception {
    String s0 = ws.begin().snapshot();
    Files.writeString(ws.root().resolve("c.txt"), "c\n");
    String s1 = ws.snapshot(s0, "1.1");
    String head = ws.commit(s1, "marathon: final");
    assertEquals(head, GitRepos.git(repo, "rev-parse", "marathon/ws-1"));
    assertEquals("c\n", GitRepos.git(repo, "show", "marathon/ws-1:c.txt") + "\n");
    assertEquals(head, new Workspaces(tmp.resolve("workspaces")).get(ws.key()).commit(s1, "marathon: final"));
    assertEquals("2", GitRepos.git(repo, "rev-list", "--count", "marathon/ws-1"));
  }

  @Test
  void aMissingRepositoryIsPermanent() {
    Workspace gone = new Workspaces(tmp.resolve("workspaces")).get(new WorkspaceKey("ws-2", tmp.resolve("nope").toString(), "marathon/ws-2"));
    WorkspaceException e = assertThrows(WorkspaceException.class, gone::begin);
    assertTrue(e.permanent());
    assertTrue(e.getMessage().contains("does not exist"));
  }
}
