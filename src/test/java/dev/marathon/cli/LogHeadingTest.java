package dev.marathon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.marathon.activities.Prompts;
import dev.marathon.activities.store.CheckpointStore;
import dev.marathon.activities.store.Conversations;
import dev.marathon.activities.store.Message;
import dev.marathon.runtime.RunTranscript;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The head of {@code ./marathon log}: the run, its title only when it is not the task's own first line, then the task once. */
class LogHeadingTest {
  @TempDir Path dir;

  RunTranscript run(String title, String task) {
    Conversations c = new Conversations(CheckpointStore.open(dir.resolve(Integer.toString(task.hashCode()))), 2);
    return RunTranscript.read(c, c.append(null, List.of(Message.system("s"), Message.user(Prompts.task(title, task)))));
  }

  @Test
  void aTitleMadeFromTheTaskIsNotRepeated() {
    assertEquals("# r-1", LogCommand.heading("r-1", run("Fix the flaky tests", "Fix the flaky tests\n\nin module X")));
    String longLine = "Fix   the " + "very ".repeat(40) + "flaky tests";
    String cut = longLine.replaceAll("\\s+", " ").substring(0, 99) + "…"; // as run makes a title from a long first line
    assertEquals("# r-2", LogCommand.heading("r-2", run(cut, longLine)));
  }

  @Test
  void aTitleGivenWithDashDashTitleIsNamed() {
    assertEquals("# r-3: Flaky tests", LogCommand.heading("r-3", run("Flaky tests", "Make FooTest pass reliably")));
  }
}
