package dev.marathon.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.activities.store.CheckpointStore;
import dev.marathon.activities.store.Conversations;
import dev.marathon.activities.store.Message;
import dev.marathon.testing.CrashScript;
import dev.marathon.testing.GitRepos;
import dev.marathon.runtime.HistoryChain;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.TestRuns;
import dev.marathon.testing.WorkflowHarness;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Continue-as-new is invisible: the chain ends exactly where one long run would. */
class ContinueAsNewTest {
  @TempDir Path tmp;

  record Outcome(Progress progress, String tree, List<Message> conversation, int runs) {}

  /** Same run id in separate environments, so prompts (which name the branch) are identical. */
  Outcome run(String label, int continueAsNewEvents) throws Exception {
    String id = "can-1";
    Path repo = GitRepos.create(tmp.resolve("repo-" + label), Map.of("README.md", "# can\n", "counter.txt", ""));
    CrashScript script = new CrashScript(40, Set.of(), Set.of(), Set.of());
    RunOptions options = new RunOptions(600, 3600, 10, continueAsNewEvents, 80);
    try (ScriptedModel model = new ScriptedModel(script); WorkflowHarness h = new WorkflowHarness(tmp.resolve("home-" + label))) {
      AgentWorkflow run = h.start(TestRuns.state(id, repo, TestRuns.model(model.baseUrl(), 200_000), "Chain", options, Budget.UNLIMITED));
      RunReport report = h.client.newUntypedWorkflowStub(id).getResult(RunReport.class);
      assertTrue(model.violations().isEmpty(), model.violations().toString());
      RunState state = run.state();
      int runs = HistoryChain.fetch(h.client, id).size();
      List<Message> conversation = new Conversations(CheckpointStore.open(h.home.store()), 4).load(state.conversation.contextRef);
      return new Outcome(report.progress(), GitRepos.git(repo, "rev-parse", "marathon/" + id + "^{tree}"), conversation, runs);
    }
  }

  @Test
  void aChainOfRunsEndsInTheSameStateAsOneLongRun() throws Exception {
    Outcome chained = run("chained", 120);
    Outcome single = run("single", 1_000_000);
    assertTrue(chained.runs() >= 4, "expected several runs in the chain, got " + chained.runs());
    assertEquals(1, single.runs());
    assertEquals(single.progress().plan(), chained.progress().plan());
    assertEquals(single.progress().turn(), chained.progress().turn());
    assertEquals(single.progress().toolCalls(), chained.progress().toolCalls());
    assertEquals(single.progress().usage(), chained.progress().usage());
    assertEquals(single.progress().summary(), chained.progress().summary());
    assertEquals(single.tree(), chained.tree());
    // The same conversation, every message and its reasoning. (The checkpoints' refs differ: each turn
    // also records when it ran and how long the model took.)
    assertEquals(single.conversation(), chained.conversation());
    assertEquals(chained.runs(), chained.progress().runsInChain());
  }
}
