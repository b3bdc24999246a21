package dev.marathon.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.workflows.api.ToolCall;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The workflow's pure decisions, without Temporal: budgets, the stuck detector, the details view. */
class PureLogicTest {

  @Test
  void budgetsWarnNearTheLimitAndNameTheFirstOneReached() {
    Usage spent = new Usage(9_000, 500, 0, 1.80, 0);
    BudgetCheck fine = BudgetCheck.of(new Budget(100, 10.0, 100_000L, 10.0), 10, spent, 1.0);
    assertNull(fine.reached());
    assertTrue(fine.near().isEmpty());
    BudgetCheck near = BudgetCheck.of(new Budget(100, 10.0, 10_000L, 2.0), 91, spent, 9.5);
    assertEquals(List.of("turns", "hours", "tokens", "cost"), near.near());
    BudgetCheck reached = BudgetCheck.of(new Budget(100, 1.0, 10_000L, 1.0), 100, spent, 3.0);
    assertEquals("turn budget reached (100 of 100)", reached.reached());
    assertEquals("cost budget reached ($1.80 of $1.00)", BudgetCheck.of(new Budget(null, null, null, 1.0), 1, spent, 0).reached());
    assertNull(BudgetCheck.of(Budget.UNLIMITED, 1_000_000, spent, 1_000).reached());
  }

  @Test
  void raisingABudgetKeepsWhatWasNotMentioned() {
    Budget b = new Budget(10, 2.0, null, 5.0).changedBy(new Budget(20, null, 1_000L, null));
    assertEquals(new Budget(20, 2.0, 1_000L, 5.0), b);
  }

  @Test
  void theStuckDetectorIgnoresCallIdsButNotArgumentsOrResults() {
    StuckDetector d = new StuckDetector();
    ToolCall a1 = new ToolCall.Rejected("call_1", "frob", "unknown tool 'frob'");
    ToolCall a2 = new ToolCall.Rejected("call_2", "frob", "unknown tool 'frob'");
    assertEquals(a1.what(), a2.what());
    List<StuckDetector.Verdict> verdicts = new java.util.ArrayList<>();
    for (int i = 0; i < StuckDetector.PAUSE_AFTER; i++) verdicts.add(d.observe("frob:" + a1.what() + "->same"));
    assertEquals(StuckDetector.Verdict.WARN, verdicts.get(StuckDetector.WARN_AFTER - 1));
    assertEquals(StuckDetector.Verdict.PAUSE, verdicts.get(StuckDetector.PAUSE_AFTER - 1));
    assertEquals(StuckDetector.Verdict.PROGRESS, d.observe("bash:ref2->other"), "a different action is progress");
  }

  @Test
  void theDetailsShowTaskPlanRecentStepsAndCost() {
    RunState s = RunState.start(new RunSpec("r-1", "Fix the flaky tests", "/repo", "marathon/r-1",
        new ModelSettings("http://x", "glm-5.1", "K", null, 200_000, 1000, null), RunOptions.DEFAULTS), "task", new Budget(50, null, null, null));
    s.plan = List.of(new PlanStep("find it", StepStatus.COMPLETED), new PlanStep("fix it", StepStatus.IN_PROGRESS));
    s.turn = 7;
    s.toolCalls = 12;
    s.recordAction("bash: mvn -q test → exit 0 · 3 lines");
    s.spending.usage = new Usage(12_345, 678, 0, 0.0421, 0);
    String md = RunDetails.markdown(s, Phase.ACTING);
    assertTrue(md.startsWith("## Fix the flaky tests\n"), md);
    assertTrue(md.contains("**acting** · turn 7 · 12 tool calls"), md);
    assertTrue(md.contains("- [x] find it") && md.contains("- [ ] **▶** fix it"), md);
    assertTrue(md.contains("`bash: mvn -q test → exit 0 · 3 lines`"), md);
    assertTrue(md.contains("12,345 in") && md.contains("cost $0.0421") && md.contains("50 turns"), md);
  }

  @Test
  void aCoordinatorsDetailsCarryItsSubAgentsAndTheSwarmsTotals() {
    RunState s = RunState.start(new RunSpec("sw", "Port to JUnit 5", "/repo", "marathon/sw",
        new ModelSettings("http://x", "glm-5.1", "K", null, 200_000, 1000, null), RunOptions.DEFAULTS, new Swarm(300, 4), null), "t", Budget.UNLIMITED);
    s.turn = 3;
    s.spending.usage = new Usage(1_000, 100, 0, 0.01, 0);
    for (int i = 1; i <= 45; i++) {
      SubAgent a = new SubAgent();
      a.id = "sw.a" + i;
      a.title = "Module | " + i;
      a.state = i <= 2 ? SubAgent.State.RUNNING : SubAgent.State.QUEUED;
      a.turn = i <= 2 ? 5 : 0;
      a.tokens = i <= 2 ? 2_000 : 0;
      a.costUsd = i <= 2 ? 0.02 : 0;
      a.lastStep = "bash: mvn -q test → exit 1";
      s.swarm.agents.add(a);
    }
    s.swarm.agents.get(1).state = SubAgent.State.ENDED;
    s.swarm.agents.get(1).outcome = "finished";
    s.swarm.agents.get(1).collected = true;
    String md = RunDetails.markdown(s, Phase.ACTING);
    assertTrue(md.contains("45 sub-agents: 1 running, 43 queued, 0 paused, 1 ended (1 collected). Swarm: 13 turns, 5,100 tokens, $0.0500."), md);
    assertTrue(md.contains("| sw.a1 | Module / 1 | running | 5 | bash: mvn -q test → exit 1 | $0.0200 |"), md);
    assertTrue(md.contains("| sw.a2 | Module / 2 | finished, collected |"), md);
    assertTrue(md.contains("_and 5 more: `./marathon status sw --json`_"), md);
    assertEquals(13, SubAgents.turns(s));
    assertEquals(45, Progress.of(s, Phase.ACTING).agents().size());
  }
}
