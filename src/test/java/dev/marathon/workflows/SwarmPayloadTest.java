package dev.marathon.workflows;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.runtime.DataConverters;
import dev.marathon.testing.TestRuns;
import dev.marathon.workflows.api.AgentSighting;
import dev.marathon.workflows.api.CollectInput;
import io.temporal.common.converter.DataConverter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How large a coordinator's payloads get with 300 sub-agents (the default --max-agents): its state
 * (the input of continue-as-new), the merge activity's input, a survey's answer and its final
 * report each carry a row per sub-agent. The README states these numbers; Temporal refuses a
 * payload over 2 MB and warns over 256 KB.
 */
class SwarmPayloadTest {
  static final DataConverter CONVERTER = DataConverters.marathon();
  static final int AGENTS = 300;
  static final int LIMIT = 2 * 1024 * 1024;

  static int bytes(Object o) {
    return CONVERTER.toPayload(o).orElseThrow().getSerializedSize();
  }

  static String hex(int n, int i) {
    return String.format("%0" + n + "x", i);
  }

  /** A coordinator whose sub-agents have all ended, as the benchmark's do, or with every capped field full. */
  static RunState coordinator(String runId, boolean atCaps) {
    RunState s = TestRuns.state(runId, Path.of("/src/project"), TestRuns.model("https://api.z.ai/api/paas/v4", 200_000),
        "Coordinate", RunOptions.DEFAULTS, Budget.UNLIMITED);
    s.spec = new RunSpec(runId, "Coordinate", "/src/project", "marathon/" + runId, s.spec.model(), RunOptions.DEFAULTS,
        new Swarm(AGENTS, 16), null);
    s.task = null;
    for (int i = 1; i <= AGENTS; i++) {
      SubAgent a = new SubAgent();
      a.id = runId + ".a" + i;
      a.title = atCaps ? "t".repeat(100) : "File " + i;
      a.spawnContextRef = hex(64, 1);
      a.spawnCallId = "call_" + hex(24, 2);
      a.spawnIndex = i - 1;
      a.forkSnapshot = hex(40, 3);
      a.branch = "marathon-swarm/" + runId + "/" + a.id;
      a.state = SubAgent.State.ENDED;
      a.outcome = "finished";
      a.reason = atCaps ? "r".repeat(300) : null;
      a.summary = atCaps ? "s".repeat(300) : "f-" + i + ".txt written";
      a.reportRef = hex(64, i);
      a.head = hex(40, i);
      a.turn = 10;
      a.toolCalls = 9;
      a.tokens = 123_456;
      a.costUsd = 0.0123;
      a.lastStep = atCaps ? "l".repeat(160) : "bash: echo 9 >> f-" + i + ".txt → exit 0 · 0 lines";
      a.slice = new Budget(100, 1.5, 1_000_000L, 2.5, true);
      a.collected = true;
      s.swarm.agents.add(a);
    }
    return s;
  }

  static CollectInput collect(RunState s) {
    List<CollectInput.Collectible> items = new ArrayList<>();
    for (SubAgent a : s.swarm.agents) items.add(new CollectInput.Collectible(a.id, a.title, a.outcome, a.reason, a.head, a.branch, a.reportRef, a.summary));
    return new CollectInput(s.spec.workspaceKey(), hex(40, 4), "call_1", 1_700_000_000L, items);
  }

  static List<AgentSighting> survey(RunState s, boolean atCaps) {
    List<AgentSighting> seen = new ArrayList<>();
    for (SubAgent a : s.swarm.agents) {
      AgentNews closed = new AgentNews(a.id, AgentNews.Kind.ENDED, "failed", atCaps ? "r".repeat(300) : "terminated",
          atCaps ? "s".repeat(500) : null, null, a.head, a.turn, a.toolCalls, a.tokens, a.costUsd, a.lastStep);
      seen.add(new AgentSighting(a.id, true, "finished", a.turn, a.toolCalls, a.tokens, a.costUsd, closed));
    }
    return seen;
  }

  static RunReport report(RunState s) {
    return new RunReport(RunOutcome.FINISHED, s.summary, s.spec.branch(), hex(40, 5), Progress.of(s, Phase.FINISHED));
  }

  @Test
  void threeHundredSubAgentsStayUnderTemporalsPayloadLimit() {
    String[][] shapes = {{"swarm", "false"}, {"swarm", "true"}, {"r".repeat(120), "true"}};
    for (String[] shape : shapes) {
      boolean atCaps = Boolean.parseBoolean(shape[1]);
      RunState s = coordinator(shape[0], atCaps);
      RunState none = coordinator(shape[0], atCaps);
      none.swarm.agents.clear();
      int state = bytes(s);
      int perAgent = (state - bytes(none)) / AGENTS;
      int collect = bytes(collect(s));
      int survey = bytes(survey(s, atCaps));
      int report = bytes(report(s));
      System.out.printf("%d sub-agents (%s, run id of %d chars): state %,d B (%,d B a sub-agent), merge input %,d B,"
          + " survey answer %,d B, final report %,d B%n", AGENTS, atCaps ? "every capped field full" : "the benchmark's shape",
          shape[0].length(), state, perAgent, collect, survey, report);
      for (int b : new int[] {state, collect, survey, report}) assertTrue(b < LIMIT / 2, b + " bytes");
    }
  }
}
