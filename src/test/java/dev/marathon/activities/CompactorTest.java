package dev.marathon.activities;

import dev.marathon.activities.tools.ToolCatalog;
import dev.marathon.workflows.api.Compaction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.activities.model.ModelReply;
import dev.marathon.activities.store.CheckpointStore;
import dev.marathon.activities.store.Conversations;
import dev.marathon.activities.store.FileCheckpointStore;
import dev.marathon.activities.store.Message;
import dev.marathon.workflows.PlanStep;
import dev.marathon.workflows.StepStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompactorTest {
  @TempDir Path dir;

  static final List<PlanStep> PLAN = List.of(new PlanStep("split the lexer", StepStatus.IN_PROGRESS));

  static List<Message> turns(int from, int to) {
    List<Message> m = new ArrayList<>();
    for (int t = from; t <= to; t++) {
      m.add(Message.assistant(null, "thinking " + t + " " + "r".repeat(400), "reasoning_content",
          List.of(new Message.Call("c" + t, "write_file", "{\"path\":\"src/F" + t + ".java\",\"content\":\"x\"}")), "kimi"));
      m.add(Message.toolResult("c" + t, "write_file", "Created src/F" + t + ".java " + "o".repeat(900)));
    }
    return m;
  }

  static ModelReply summary(String text) {
    return new ModelReply(text, null, null, List.of(), "stop", 100, 10, 0);
  }

  @Test
  void repeatedCompactionsReplaceTheSummaryInsteadOfPilingUpAndKeepEveryFileTouched() {
    Conversations conversations = new Conversations(CheckpointStore.open(dir), 8);
    List<Message> start = new ArrayList<>(List.of(Message.system("sys"), Message.user("the task")));
    start.addAll(turns(1, 20));
    String ref = conversations.append(null, start);
    Compactor compactor = new Compactor(conversations, new ToolCatalog(), (messages, purpose) -> summary("summary #" + messages.get(1).content().length()));

    Compactor.Result first = compactor.compact(ref, 1_000, 8, PLAN);
    assertEquals(Compaction.SUMMARIZED, first.method());
    String next = conversations.append(first.contextRef(), turns(21, 40));
    Compactor.Result second = compactor.compact(next, 1_000, 8, PLAN);
    assertEquals(Compaction.SUMMARIZED, second.method());

    List<Message> now = conversations.load(second.contextRef());
    assertEquals("sys", now.get(0).content());
    assertEquals("the task", now.get(1).content(), "the task is pinned verbatim");
    long summaries = now.stream().filter(m -> m.content() != null && m.content().startsWith(Compactor.PINNED_MARK)).count();
    assertEquals(1, summaries, "one summary, not a pile");
    String pinned = now.get(2).content();
    assertTrue(pinned.contains("- [in_progress] split the lexer"), pinned);
    assertTrue(pinned.contains("- src/F1.java") && pinned.contains("- src/F30.java"), "files from both compactions: " + pinned);
    Message lastAssistant = now.stream().filter(Message::isAssistant).reduce((a, b) -> b).orElseThrow();
    assertTrue(lastAssistant.reasoning().startsWith("thinking 40"), "recent turns keep their reasoning verbatim");
    assertEquals(next, conversations.read(second.contextRef()).compactedFrom(), "the replaced conversation stays reachable");
  }

  @Test
  void aFailingSummaryChangesNothing() {
    FileCheckpointStore store = FileCheckpointStore.open(dir);
    Conversations conversations = new Conversations(store, 8);
    List<Message> start = new ArrayList<>(List.of(Message.system("sys"), Message.user("the task")));
    start.addAll(turns(1, 20));
    String ref = conversations.append(null, start);
    long objects = store.stats().objects();
    Compactor compactor = new Compactor(conversations, new ToolCatalog(), (messages, purpose) -> {
      throw new IllegalStateException("summarizer down");
    });
    assertThrows(IllegalStateException.class, () -> compactor.compact(ref, 1_000, 8, PLAN));
    assertEquals(objects, store.stats().objects(), "no new checkpoint was written");
  }
}
