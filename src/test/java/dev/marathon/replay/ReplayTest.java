package dev.marathon.replay;

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

  @TestFactory
  Stream<DynamicTest> everyRecordedHistoryReplays() throws Exception {
    List<Path> files;
    try (Stream<Path> list = Files.list(HISTORIES)) {
      files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertTrue(files.size() >= 6, "recorded histories are missing from " + HISTORIES);
    return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () ->
        Replays.replay(WorkflowExecutionHistory.fromJson(Files.readString(f)))));
  }
}
