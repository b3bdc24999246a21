package dev.marathon.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassWarmUpTest {

  /** The run the warm-up replays is one the replay test proves today's workflow code replays. */
  @Test
  void theRecordedRunIsTheReplayTestsToolBatchesHistory() throws Exception {
    try (InputStream in = ClassWarmUp.class.getResourceAsStream(ClassWarmUp.RECORDED_RUN)) {
      assertArrayEquals(Files.readAllBytes(Path.of("src/test/resources/histories/tool-batches.json")), in.readAllBytes(),
          "re-recorded tool-batches.json? copy it to src/main/resources" + ClassWarmUp.RECORDED_RUN);
    }
  }

  /** A real connection, polls and a whole replay, then every class of Marathon's own: none fails to load. */
  @Test
  void replaysTheRecordedRunAndLoadsEveryMarathonClass(@TempDir Path scratch) throws Exception {
    ClassWarmUp.Loaded loaded = ClassWarmUp.run(scratch);

    assertEquals(ClassWarmUp.recordedRun().getEvents().size(), loaded.eventsReplayed());
    Path classes = Path.of(ClassWarmUp.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    try (Stream<Path> files = Files.walk(classes.resolve("dev/marathon"))) {
      assertEquals(files.filter(p -> p.toString().endsWith(".class")).count(), loaded.marathonClasses());
    }
    try (Stream<Path> left = Files.walk(scratch)) {
      assertEquals(List.of(), left.filter(Files::isRegularFile).toList(), "the warm-up wrote into its scratch directory");
    }
  }
}
