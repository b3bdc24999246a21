package dev.marathon.workflows;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.call;
import static dev.marathon.testing.ScriptedModel.finish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.testing.Eventually;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.TestRuns;
import dev.marathon.testing.WorkflowHarness;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A coordinator spawns sub-agents as child workflows, waits for them and merges their branches;
 * the scripted model tells the runs apart by their task (each sub-agent has its own script).
 */
class SwarmTest {
  @TempDir Path tmp;

  static RunState coordinator(String id, Path repo, String baseUrl, Swarm swarm, Budget budget) {
    RunState s = TestRuns.state(id, repo, baseUrl, "Write the two files", RunOptions.DEFAULTS, budget);
    s.spec = new RunSpec(s.spec.runId(), s.spec.title(), s.spec.repo(), s.spec.branch(), s.spec.model(), s.spec.options(), swarm, null);
    return s;
  }

  static Map<String, Object> agents(String... titleTaskPairs) {
    List<Map<String, String>> list = new java.util.ArrayList<>();
    for (int i = 0; i < titleTaskPairs.length; i += 2) list.add(Map.of("title", titleTaskPairs[i], "task", titleTaskPairs[i + 1]));
    return Map.of("agents", list);
  }

  /** The text of the last tool result in a request. */
  static String lastResult(JsonNode request) {
    String text = "";
    for (JsonNode m : request.path("messages")) if (m.path("role").asText().equals("tool")) text = m.path("content").asText();
    return text;
  }

  @Test
  void subAgentsWorkOnTheirOwnBranchesAndTheirWorkIsMergedIntoTheCoordinators() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "# project\n"));
    try (ScriptedModel model = new ScriptedModel((turn, req) -> {
          String task = ScriptedModel.task(req);
          if (task.contains("Create a.txt")) {
            return turn == 1 ? Reply.tools("a", bash("echo alpha > a.txt && git add a.txt && git commit -qm 'add a'"))
                : Reply.tools("done a", finish("a.txt holds alpha"));
          }
          if (task.contains("Create b.txt")) {
            return turn == 1 ? Reply.tools("b", bash("echo beta > b.txt")) : Reply.tools("done b", finish("b.txt holds beta (not committed)"));
          }
          return switch (turn) {
            case 1 -> Reply.tools("split", bash("echo 'coordinator notes' > notes.txt"),
                call("spawn_agents", agents("Write A", "Create a.txt containing alpha.", "Write B", "Create b.txt containing beta.")));
            case 2 -> Reply.tools("collect", call("wait_agents", Map.of()));
            case 3 -> Reply.tools("check", bash("cat a.txt b.txt notes.txt"));
            default -> Reply.tools("all done", finish("both parts merged"));
          };
        });
        WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      h.start(coordinator("swarm-1", repo, model.baseUrl(), new Swarm(300, 2), Budget.UNLIMITED));
      RunReport report = h.client.newUntypedWorkflowStub("swarm-1").getResult(RunReport.class);

      assertEquals(RunOutcome.FINISHED, report.outcome(), report.summary());
      assertTrue(model.violations().isEmpty(), model.violations().toString());
      String collected = lastResult(model.requests().stream().filter(r -> ScriptedModel.task(r.body()).contains("Write the two files")
          && r.turn() == 3).findFirst().orElseThrow().body());
      assertTrue(collected.contains("swarm-1.a1 — Write A") && collected.contains("merged into your workspace (clean)"), collected);
      assertTrue(collected.contains("a.txt holds alpha") && collected.contains("b.txt holds beta"), collected);
      assertEquals("alpha\nbeta\ncoordinator notes", GitRepos.git(repo, "show", "marathon/swarm-1:a.txt").strip() + "\n"
          + GitRepos.git(repo, "show", "marathon/swarm-1:b.txt").strip() + "\n" + GitRepos.git(repo, "show", "marathon/swarm-1:notes.txt").strip());
      String merges = GitRepos.git(repo, "log", "--merges", "--format=%s", "marathon/swarm-1");
      assertEquals(2, merges.lines().count(), merges);
      assertTrue(merges.contains("merge sub-agent swarm-1.a1: Write A"), merges);
      assertEquals("coordinator notes", GitRepos.git(repo, "show", "marathon-swarm/swarm-1/swarm-1.a2:notes.txt").strip(), "a sub-agent starts from the coordinator's workspace, uncommitted files included");
      assertFalse(GitRepos.git(repo, "branch", "--list", "marathon-swarm/*").isBlank());
      Progress p = report.progress();
      assertEquals(2, p.agents().size());
      assertTrue(p.agents().stream().allMatch(a -> a.status().equals("finished, collected")), p.agents().toString());
    }
  }

  @Test
  void aConflictIsCommittedWithItsMarkersAndTheCoordinatorResolvesIt() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "# project\nstatus: draft\n"));
    try (ScriptedModel model = new ScriptedModel((turn, req) -> {
          String task = ScriptedModel.task(req);
          for (String who : List.of("left", "right")) {
            if (task.contains("Say " + who)) {
              return turn == 1 ? Reply.tools(who, bash("sed -i 's/draft/" + who + "/' README.md && git commit -qam " + who))
                  : Reply.tools("done", finish("README says " + who));
            }
          }
          return switch (turn) {
            case 1 -> Reply.tools("split", call("spawn_agents", agents("Left", "Say left in README.md.", "Right", "Say right in README.md.")));
            case 2 -> Reply.tools("collect", call("wait_agents", Map.of()));
            case 3 -> Reply.tools("resolve", call("write_file", Map.of("path", "README.md", "content", "# project\nstatus: left and right\n")));
            case 4 -> Reply.tools("commit", bash("git commit -qam 'resolve the README conflict'"));
            default -> Reply.tools("done", finish("merged both, resolved README"));
          };
        });
        WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      h.start(coordinator("swarm-2", repo, model.baseUrl(), new Swarm(300, 1), Budget.UNLIMITED));
      RunReport report = h.client.newUntypedWorkflowStub("swarm-2").getResult(RunReport.class);
      assertEquals(RunOutcome.FINISHED, report.outcome(), report.summary());
      String collected = lastResult(model.requests().stream().filter(r -> ScriptedModel.task(r.body()).contains("Write the two files")
          && r.turn() == 3).findFirst().orElseThrow().body());
      assertTrue(collected.contains("merged with CONFLICTS in: README.md"), collected);
      assertTrue(collected.contains("resolve them in the files listed"), collected);
      String conflicted = GitRepos.git(repo, "show", "marathon/swarm-2~1:README.md");
      assertTrue(conflicted.contains("<<<<<<<") && conflicted.contains(">>>>>>>"), "the merge commit carries the markers: " + conflicted);
      assertEquals("# project\nstatus: left and right", GitRepos.git(repo, "show", "marathon/swarm-2:README.md").strip());
      assertEquals(2, GitRepos.git(repo, "log", "--merges", "--format=%s", "marathon/swarm-2").lines().count());
    }
  }

  /** A sub-agent that spends its slice without finishing is reported with how it ended; a new one does the part. */
  @Test
  void aSubAgentThatEndsWithoutFinishingIsReportedAndReplaced() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "x\n"));
    try (ScriptedModel model = new ScriptedModel((turn, req) -> {
          String task = ScriptedModel.task(req);
          if (task.contains("Count forever")) return Reply.tools("count", bash("echo " + turn + " >> count.txt"));
          if (task.contains("Count to three")) {
            return turn <= 3 ? Reply.tools("count", bash("echo " + turn + " >> count.txt")) : Reply.tools("done", finish("counted to 3"));
          }
          return switch (turn) {
            case 1 -> Reply.tools("try", call("spawn_agents", agents("Counter", "Count forever into count.txt.")));
            case 2 -> Reply.tools("wait", call("wait_agents", Map.of()));
            case 3 -> Reply.tools("again", call("spawn_agents", agents("Counter, bounded", "Count to three into count.txt, then finish.")));
            case 4 -> Reply.tools("wait", call("wait_agents", Map.of("ids", List.of("swarm-3.a2"))));
            default -> Reply.tools("done", finish("counted"));
          };
        });
        WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      // 40 turns for the swarm, 2 at once: each sub-agent may take (40 - used) / 2 turns, then wraps up.
      h.start(coordinator("swarm-3", repo, model.baseUrl(), new Swarm(300, 2), new Budget(40, null, null, null)));
      RunReport report = h.client.newUntypedWorkflowStub("swarm-3").getResult(RunReport.class);
      assertEquals(RunOutcome.FINISHED, report.outcome(), report.summary());
      String first = lastResult(model.requests().stream().filter(r -> ScriptedModel.task(r.body()).contains("Write the two files")
          && r.turn() == 3).findFirst().orElseThrow().body());
      assertTrue(first.contains("outcome: incomplete"), first);
      assertTrue(first.contains("did not report within its grace turns"), first);
      List<Progress.AgentRow> agents = report.progress().agents();
      assertEquals(List.of("incomplete, collected", "finished, collected"), agents.stream().map(Progress.AgentRow::status).toList());
      assertEquals((40 - 1) / 2 + Stop.GRACE_TURNS, agents.get(0).turn(), "its slice of the swarm's turns, then its grace turns: " + agents.get(0));
    }
  }

  /** Cancel, pause and unpause of the coordinator reach its sub-agents; cancelled ones wrap up and their work is still collected. */
  @Test
  void controlOfTheCoordinatorReachesItsSubAgents() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "x\n"));
    try (ScriptedModel model = new ScriptedModel((turn, req) -> {
          String task = ScriptedModel.task(req);
          for (String f : List.of("one", "two")) {
            if (task.contains("Keep writing " + f)) {
              if (ScriptedModel.newUserText(req).contains("cancelled this run")) return Reply.tools("ok", finish(f + " wrapped up"));
              return Reply.tools("more", bash("echo " + turn + " >> " + f + ".txt; sleep 0.2"));
            }
          }
          return switch (turn) {
            case 1 -> Reply.tools("split", call("spawn_agents", agents("One", "Keep writing one.txt.", "Two", "Keep writing two.txt.")));
            case 2 -> Reply.tools("wait", call("wait_agents", Map.of()));
            default -> Reply.tools("done", finish("cancelled; collected what they did"));
          };
        });
        WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      AgentWorkflow run = h.start(coordinator("swarm-4", repo, model.baseUrl(), new Swarm(300, 2), Budget.UNLIMITED));
      AgentWorkflow one = h.client.newWorkflowStub(AgentWorkflow.class, "swarm-4.a1");
      AgentWorkflow two = h.client.newWorkflowStub(AgentWorkflow.class, "swarm-4.a2");
      Eventually.get(() -> progressOf(one) != null && progressOf(one).turn() >= 2 && progressOf(two) != null ? true : null);

      run.pause("looking at it");
      Eventually.get(() -> one.progress().pause() != null && two.progress().pause() != null ? true : null);
      assertTrue(one.progress().pause().reason().contains("the coordinator paused: looking at it"), one.progress().pause().reason());
      run.unpause();
      Eventually.get(() -> one.progress().pause() == null && two.progress().pause() == null ? true : null);

      run.cancel(false);
      RunReport report = h.client.newUntypedWorkflowStub("swarm-4").getResult(RunReport.class);
      assertEquals(RunOutcome.CANCELLED, report.outcome(), report.summary());
      for (String id : List.of("swarm-4.a1", "swarm-4.a2")) {
        RunReport child = h.client.newUntypedWorkflowStub(id).getResult(RunReport.class);
        assertEquals(RunOutcome.CANCELLED, child.outcome(), id + ": " + child.summary());
      }
      assertTrue(report.progress().agents().stream().allMatch(a -> a.status().endsWith("collected")), report.progress().agents().toString());
      assertFalse(GitRepos.git(repo, "show", "marathon/swarm-4:one.txt").isBlank(), "the cancelled sub-agents' work was merged");
      assertFalse(GitRepos.git(repo, "show", "marathon/swarm-4:two.txt").isBlank());
    }
  }

  /** The coordinator's budget counts the whole swarm's turns; raising it lets the swarm go on. */
  @Test
  void theBudgetIsTheSwarmsAndRaisingItLetsTheSwarmGoOn() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "x\n"));
    try (ScriptedModel model = new ScriptedModel((turn, req) -> {
          String task = ScriptedModel.task(req);
          if (task.contains("Write part")) return turn == 1 ? Reply.tools("w", bash("echo part >> part-" + task.length() + ".txt"))
              : Reply.tools("done", finish("wrote a part"));
          return switch (turn) {
            case 1 -> Reply.tools("split", call("spawn_agents", agents("P1", "Write part one.", "P2", "Write part two, please.")));
            case 2 -> Reply.tools("wait", call("wait_agents", Map.of()));
            default -> Reply.tools("done", finish("both parts"));
          };
        });
        WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      AgentWorkflow run = h.start(coordinator("swarm-5", repo, model.baseUrl(), new Swarm(300, 2), new Budget(6, null, null, null)));
      Progress paused = Eventually.get(() -> {
        Progress p = run.progress();
        return p.pause() != null ? p : null;
      });
      assertEquals(Pause.Cause.BUDGET, paused.pause().cause());
      assertEquals("turn budget reached (6 of 6)", paused.pause().reason(), "2 turns of its own and 2 of each sub-agent");
      assertEquals(2, paused.turn());
      assertEquals(2, paused.agents().size());
      run.budget(new Budget(20, null, null, null));
      RunReport report = h.client.newUntypedWorkflowStub("swarm-5").getResult(RunReport.class);
      assertEquals(RunOutcome.FINISHED, report.outcome());
    }
  }

  /** A long wait continues as new; the sub-agents outlive the coordinator's old run and report to its new one. */
  @Test
  void subAgentsOutliveTheCoordinatorsContinueAsNew() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "x\n"));
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    try (ScriptedModel model = new ScriptedModel((turn, req) -> {
          String task = ScriptedModel.task(req);
          if (task.contains("Slow part")) {
            if (turn == 1) {
              try {
                release.await(120, java.util.concurrent.TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return Reply.tools("w", bash("echo done > slow-" + task.length() + ".txt"));
            }
            return Reply.tools("done", finish("slow part done"));
          }
          return switch (turn) {
            case 1 -> Reply.tools("split", call("spawn_agents", agents("S1", "Slow part one.", "S2", "Slow part two, longer.")));
            case 2 -> Reply.tools("wait", call("wait_agents", Map.of()));
            default -> Reply.tools("done", finish("both slow parts"));
          };
        });
        WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      RunState start = coordinator("swarm-6", repo, model.baseUrl(), new Swarm(300, 2), Budget.UNLIMITED);
      start.spec = new RunSpec("swarm-6", start.spec.title(), start.spec.repo(), start.spec.branch(), start.spec.model(),
          new RunOptions(600, 3600, 10, 20, 80), start.spec.swarm(), null); // continue as new after 20 events
      AgentWorkflow run = h.start(start);
      // Run 1 spawns and continues as new at the turn's end; run 2 waits; a third run before the
      // sub-agents are released can only come from a continue-as-new in the middle of the wait.
      Eventually.get(() -> run.progress().runsInChain() >= 3 ? true : null, java.time.Duration.ofSeconds(90), "a continue-as-new while waiting");
      release.countDown();
      RunReport report = h.client.newUntypedWorkflowStub("swarm-6").getResult(RunReport.class);
      assertEquals(RunOutcome.FINISHED, report.outcome(), report.summary());
      assertTrue(report.progress().agents().stream().allMatch(a -> a.status().equals("finished, collected")), report.progress().agents().toString());
      assertEquals(2, GitRepos.git(repo, "log", "--merges", "--format=%s", "marathon/swarm-6").lines().count());
      assertEquals(3, report.progress().toolCalls(), "spawn, wait (counted once across the continue-as-new), finish");
    }
  }

  /** Beyond --max-agents in all, spawn_agents is a tool error that says how many are left; nothing is spawned by it. */
  @Test
  void aSpawnBeyondMaxAgentsIsAToolError() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "x\n"));
    try (ScriptedModel model = new ScriptedModel((turn, req) -> {
          String task = ScriptedModel.task(req);
          if (!task.contains("Write the two files")) return Reply.tools("done", finish("did " + task));
          return switch (turn) {
            case 1 -> Reply.tools("two", call("spawn_agents", agents("A", "part a", "B", "part b")));
            case 2 -> Reply.tools("two more", call("spawn_agents", agents("C", "part c", "D", "part d")));
            case 3 -> Reply.tools("one more", call("spawn_agents", agents("C", "part c")));
            case 4 -> Reply.tools("wait", call("wait_agents", Map.of()));
            default -> Reply.tools("done", finish("three parts"));
          };
        });
        WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      h.start(coordinator("swarm-7", repo, model.baseUrl(), new Swarm(3, 1), Budget.UNLIMITED));
      RunReport report = h.client.newUntypedWorkflowStub("swarm-7").getResult(RunReport.class);
      assertEquals(RunOutcome.FINISHED, report.outcome(), report.summary());
      String refused = lastResult(model.requests().stream().filter(r -> ScriptedModel.task(r.body()).contains("Write the two files")
          && r.turn() == 3).findFirst().orElseThrow().body());
      assertTrue(refused.startsWith("Error: this swarm may spawn at most 3 sub-agents in all, 2 so far"), refused);
      assertEquals(List.of("swarm-7.a1", "swarm-7.a2", "swarm-7.a3"), report.progress().agents().stream().map(Progress.AgentRow::id).toList());
      assertTrue(report.progress().agents().stream().allMatch(a -> a.status().equals("finished, collected")), report.progress().agents().toString());
    }
  }

  private static Progress progressOf(AgentWorkflow run) {
    try {
      return run.progress();
    } catch (RuntimeException notYet) {
      return null;
    }
  }
}
