package dev.marathon.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.testing.Replays;
import io.temporal.common.WorkflowExecutionHistory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays real histories recorded from the dev server ({@link CaptureHistories}) against today's
 * workflow code. If this fails, a change would break runs in flight: guard it with
 * {@code Workflow.getVersion} rather than re-recording.
 */
class ReplayTest {
  static final Path HISTORIES = Path.of("src/test/resources/histories");

  /**
   * Every history recorded so far ({@code scripts/capture-histories}, {@code --swarm}). All of them
   * must be there and replay: one lost would let a change break the runs it stood for. A history
   * recorded later is added here.
   */
  static final List<String> RECORDED = List.of(
      "broken-workspace.json",
      "budget-finish.json",
      "cancel.json",
      "compaction.json",
      "continue-as-new-run1.json",
      "continue-as-new-run2.json",
      "continue-as-new-run3.json",
      "mcp-tools.json",
      "notify-run1.json",
      "notify-run2.json",
      "notify-run3.json",
      "steer-pause.json",
      "swarm-a1.json",
      "swarm-a2.json",
      "swarm.json",
      "tool-batches.json",
      "tools-and-plan.json");

  @TestFactory
  Stream<DynamicTest> everyRecordedHistoryReplays() throws Exception {
    List<String> files;
    try (Stream<Path> list = Files.list(HISTORIES)) {
      files = list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList();
    }
    assertEquals(RECORDED, files, "the histories in " + HISTORIES + " are not the recorded ones");
    return files.stream().map(name -> DynamicTest.dynamicTest(name, () -> {
      WorkflowExecutionHistory history = WorkflowExecutionHistory.fromJson(Files.readString(HISTORIES.resolve(name)));
      assertTrue(history.getEvents().size() > 10, name + " holds " + history.getEvents().size() + " events: not a recorded run");
      Replays.replay(history);
    }));
  }
}
