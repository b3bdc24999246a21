package dev.marathon.runtime;

import static dev.marathon.runtime.RecordedTurns.bash;
import static dev.marathon.runtime.RecordedTurns.reply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.marathon.activities.Prompts;
import dev.marathon.activities.store.Message;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run read back from its checkpoints alone: turns in order, across compactions, as log, export, diff and fork see it. */
class RunTranscriptTest {
  @TempDir Path dir;

  @Test
  void turnsAreReadInOrderWithWhatEachWasGivenAndAnswered() {
    RecordedTurns run = new RecordedTurns(dir, "Fix the flaky test", "Fix the flaky test\nin module X.");
    String root = run.at;
    String t1 = run.turn(1, "ws-0", List.of(), reply("r1", bash("c1", "mvn test")));
    String t2 = run.turn(2, "ws-1", List.of(Message.toolResult("c1", "bash", "BUILD FAILURE"),
        Message.user("Message from the operator: use JUnit 5"), Message.user("[marathon] 80% of the turn budget is used")),
        reply("r2", bash("c2", "true")));

    RunTranscript t = run.read();
    assertEquals(2, t.lastTurn());
    assertEquals(List.of(1, 2), t.turns().stream().map(RunTranscript.Turn::number).toList());
    RunTranscript.Turn first = t.turn(1);
    assertEquals(root, first.before());
    assertEquals(t1, first.ref());
    assertEquals(List.of(), first.delivered());
    assertEquals("r1", first.reply().reasoning());
    assertEquals("ws-0", first.meta().workspaceRef());
    RunTranscript.Turn second = t.turn(2);
    assertEquals(t1, second.before());
    assertEquals(t2, second.ref());
    assertEquals(List.of("BUILD FAILURE"), second.toolResults().stream().map(Message::content).toList());
    assertEquals(List.of("Message from the operator: use JUnit 5", "[marathon] 80% of the turn budget is used"),
        second.userMessages().stream().map(Message::content).toList());
    assertNull(second.compaction());
    assertNull(t.turn(0));
    assertNull(t.turn(3));
    assertEquals(List.of("system", "user"), t.task().stream().map(Message::role).toList());
  }

  @Test
  void theTaskIsReadAsGivenAndTheTitleApart() {
    RunTranscript t = new RecordedTurns(dir, "Fix the flaky test", "Fix the flaky test\n\nin module X.").read();
    assertEquals("Fix the flaky test\n\nin module X.", t.taskText());
    assertEquals("Fix the flaky test", t.taskTitle());
    assertEquals(0, t.lastTurn());
    assertEquals(List.of(), t.turns());
  }

  @Test
  void aCompactedRunIsReadWholeThroughTheOriginalsItsRootsReplaced() {
    RecordedTurns run = new RecordedTurns(dir, "Write lines", "Write lines");
    List<Message> head = new ArrayList<>(run.conversations.load(run.at));
    run.turn(1, "ws-0", List.of(), reply("r1", bash("c1", "echo 1")));
    String t2 = run.turn(2, "ws-1", List.of(Message.toolResult("c1", "bash", "")), reply("r2", bash("c2", "echo 2")));
    // A summarizing compaction: the task, the summary, and the latest turn verbatim (an operator message in it).
    String summary = Prompts.COMPACTION_MARK + "2 earlier messages were replaced by this summary.\n\n## Summary of earlier work\nwrote 1";
    List<Message> compacted = new ArrayList<>(head);
    compacted.add(Message.user(summary));
    compacted.add(Message.user("Message from the operator: faster"));
    compacted.add(reply("r2", bash("c2", "echo 2")));
    String root1 = run.compact(compacted);
    run.turn(3, "ws-2", List.of(Message.toolResult("c2", "bash", "")), reply("r3", bash("c3", "echo 3")));
    // A compaction that only masked old results: the conversation keeps the summary it had.
    String root2 = run.compact(run.conversations.load(run.at));
    run.turn(4, "ws-3", List.of(Message.toolResult("c3", "bash", "")), reply("r4"));

    RunTranscript t = run.read();
    assertEquals(List.of(1, 2, 3, 4), t.turns().stream().map(RunTranscript.Turn::number).toList());
    assertEquals(List.of("r1", "r2", "r3", "r4"), t.turns().stream().map(x -> x.reply().reasoning()).toList(),
        "every turn once, from the originals, however the run compacted");
    assertNull(t.turn(2).compaction());
    assertEquals(new RunTranscript.Compaction(root1, t2, summary), t.turn(3).compaction(),
        "the summary, not the operator message kept after it");
    assertEquals(root1, t.turn(3).before(), "turn 3 was given the compacted conversation");
    assertEquals(root2, t.turn(4).compaction().root());
    assertEquals(t.turn(3).ref(), t.turn(4).compaction().original());
    assertEquals(summary, t.turn(4).compaction().summary(), "the summary the masked conversation still holds");
    assertEquals("Write lines", t.taskText());
  }

  @Test
  void aCompactionThatOnlyMaskedHasNoSummary() {
    RecordedTurns run = new RecordedTurns(dir, "Write lines", "Write lines");
    run.turn(1, "ws-0", List.of(Message.user("Message from the operator: go")), reply("r1", bash("c1", "echo 1")));
    String original = run.at;
    String root = run.compact(run.conversations.load(run.at));
    run.turn(2, "ws-1", List.of(Message.toolResult("c1", "bash", "")), reply("r2"));
    assertEquals(new RunTranscript.Compaction(root, original, null), run.read().turn(2).compaction(),
        "not the operator's message, nor the task");
  }

  @Test
  void segmentsWrittenBefore03AreNumberedInOrder() {
    RecordedTurns run = new RecordedTurns(dir, "Old", "Old");
    run.legacyTurn(List.of(), reply("r1", bash("c1", "true")));
    run.legacyTurn(List.of(Message.toolResult("c1", "bash", "")), reply("r2"));
    RunTranscript t = run.read();
    assertEquals(List.of(1, 2), t.turns().stream().map(RunTranscript.Turn::number).toList());
    assertNull(t.turn(2).meta());
    assertEquals("r2", t.turn(2).reply().reasoning());
  }

  @Test
  void aFirstMessageNotInTheTaskFormIsTheTaskWhole() {
    RecordedTurns run = new RecordedTurns(dir, "x", "x");
    run.at = run.conversations.append(null, List.of(Message.system("s"), Message.user("Just do it\n\nplease")));
    RunTranscript t = run.read();
    assertEquals("Just do it\n\nplease", t.taskText());
    assertNull(t.taskTitle());
  }
}
