package dev.marathon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.bench.PeersBenchmark;
import dev.marathon.testing.GitRepos;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short form of {@code scripts/bench --peers} (10 turns, one round): every system runs the
 * workload to the end, is killed and resumed, and the table has every number. It asserts what
 * each system did, never how fast: times on a shared 2-core machine are for the README, not for
 * a test.
 */
class PeersBenchmarkIT {
  @TempDir Path tmp;

  @Test
  void thePeersBenchmarksShortForm() throws Exception {
    Path python = PeersBenchmark.python();
    assertTrue(Files.isExecutable(python), "the peers' venv is missing (" + python + "): ./marathon test installs it (scripts/install-peers)");
    PeersBenchmark bench = new PeersBenchmark(40, 1, tmp, python, Path.of("scripts/peers/peer.py").toAbsolutePath());
    bench.run();
    bench.print(System.out);

    Map<String, Map<String, Object>> table = bench.table();
    assertEquals(List.of("marathon", "langgraph", "dbos", "temporal"), List.copyOf(table.keySet()));
    for (Map.Entry<String, Map<String, Object>> row : table.entrySet()) {
      assertTrue(((Number) row.getValue().get("msPerCall")).doubleValue() > 0, row.toString());
      assertTrue(((Number) row.getValue().get("peakRssMb")).doubleValue() > 0, row.toString());
      assertTrue(((Number) row.getValue().get("resumeSeconds")).doubleValue() > 0, row.toString());
    }
    Map<String, Object> marathon = table.get("marathon");
    double steps = ((Number) marathon.get("msPerCallSteps")).doubleValue();
    assertTrue(steps > 0 && steps <= ((Number) marathon.get("msPerCall")).doubleValue(), "its steps are part of its whole run: " + marathon);
    // The same workload's effects everywhere: turn 10 wrote note 10 and edited it.
    String note = "note 10\nstatus: done 10";
    assertEquals(note, GitRepos.git(tmp.resolve("repo-marathon-round-1"), "show", "marathon/marathon-round-1:notes/n10.txt").strip());
    for (String peer : List.of("langgraph", "dbos", "temporal")) {
      assertEquals(note, Files.readString(tmp.resolve(peer + "-round-1/repo/notes/n10.txt")).strip(), peer);
      assertEquals(note, Files.readString(tmp.resolve(peer + "-resume/repo/notes/n10.txt")).strip(), peer + " after its resume");
    }
  }
}
