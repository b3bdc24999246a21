package dev.marathon.runtime;

import dev.marathon.activities.Prompts;
import dev.marathon.activities.store.Checkpoint;
import dev.marathon.activities.store.Conversations;
import dev.marathon.activities.store.Message;
import dev.marathon.activities.store.TurnMeta;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A run's turns, read back from the checkpoint store: every turn is one checkpoint segment (the
 * tool results of the turn before, the messages delivered with it, the model's reply, and since
 * commit c47e2bf of 2026-12-01 the turn's number, the workspace it started from and its cost).
 * Compactions are followed to the original segments they replaced, so the transcript is whole
 * however often the run compacted, and continue-as-new does not touch it. What {@code log},
 * {@code export}, {@code diff} and {@code fork} read.
 */
public final class RunTranscript {

  /**
   * One model turn.
   *
   * @param ref the checkpoint after it (what the run's next turn continues)
   * @param before the checkpoint the model was given: the previous turn's, or a compaction's root
   * @param delivered what came with the turn: the previous turn's tool results, then operator
   *     messages and notices
   * @param compaction when the conversation was compacted just before this turn, how; else null
   */
  public record Turn(int number, String ref, String before, List<Message> delivered, Message reply, TurnMeta meta,
      Compaction compaction) {

    public List<Message> toolResults() {
      return delivered.stream().filter(m -> "tool".equals(m.role())).toList();
    }

    public List<Message> userMessages() {
      return delivered.stream().filter(m -> "user".equals(m.role())).toList();
    }
  }

  /**
   * A compaction: the root that replaced the conversation, the checkpoint it replaced, and its summary
   * (null when it only masked old tool results).
   */
  public record Compaction(String root, String original, String summary) {}

  private final List<Message> task;
  private final List<Turn> turns;

  private RunTranscript(List<Message> task, List<Turn> turns) {
    this.task = task;
    this.turns = turns;
  }

  /** Reads the transcript ending at checkpoint {@code last} (a run's latest context ref). */
  public static RunTranscript read(Conversations store, String last) {
    List<Checkpoint> segments = new ArrayList<>();
    List<String> refs = new ArrayList<>();
    List<Compaction> compactions = new ArrayList<>(); // the compaction just before each collected segment, or null
    List<Message> task = List.of();
    for (String at = last; at != null; ) {
      Checkpoint c = store.segment(at);
      if (c.compactedFrom() != null) {
        // The summary, not the root's last user message: the recent turns kept after it carry operator
        // messages and notices, and a root that only masked old results has no summary at all.
        String summary = c.messages().stream().filter(m -> "user".equals(m.role()) && m.content() != null)
            .map(Message::content).filter(m -> m.startsWith(Prompts.COMPACTION_MARK)).findFirst().orElse(null);
        if (!segments.isEmpty()) compactions.set(compactions.size() - 1, new Compaction(at, c.compactedFrom(), summary));
        at = c.compactedFrom();
        continue;
      }
      if (c.parent() == null) {
        task = c.messages();
        break;
      }
      segments.add(c);
      refs.add(at);
      compactions.add(null);
      at = c.parent();
    }
    Collections.reverse(segments);
    Collections.reverse(refs);
    Collections.reverse(compactions);
    List<Turn> turns = new ArrayList<>(segments.size());
    for (int i = 0; i < segments.size(); i++) {
      Checkpoint c = segments.get(i);
      List<Message> messages = new ArrayList<>(c.messages());
      Message reply = messages.isEmpty() || !messages.get(messages.size() - 1).isAssistant() ? null : messages.remove(messages.size() - 1);
      int number = c.meta() != null ? c.meta().turn() : i + 1;
      turns.add(new Turn(number, refs.get(i), c.parent(), List.copyOf(messages), reply, c.meta(), compactions.get(i)));
    }
    return new RunTranscript(task, List.copyOf(turns));
  }

  /** The system prompt and the task: what every turn started from. */
  public List<Message> task() {
    return task;
  }

  /** The run's first user message: its title and task as the model was given them. */
  private String firstUserMessage() {
    return task.stream().filter(m -> "user".equals(m.role()) && m.content() != null).map(Message::content).findFirst().orElse("");
  }

  /**
   * The task as the run was given it, without the {@code Task: <title>} line the first message starts
   * with (the title is often the task's own first line, so it would read twice).
   */
  public String taskText() {
    String first = firstUserMessage();
    int end = first.indexOf("\n\n");
    return first.startsWith(Prompts.TASK_HEADING) && end >= 0 && first.indexOf('\n') == end ? first.substring(end + 2) : first;
  }

  /** The title the first message names, or null when it names none. */
  public String taskTitle() {
    String first = firstUserMessage();
    int end = first.indexOf("\n\n");
    return first.startsWith(Prompts.TASK_HEADING) && end >= 0 && first.indexOf('\n') == end
        ? first.substring(Prompts.TASK_HEADING.length(), end) : null;
  }

  public List<Turn> turns() {
    return turns;
  }

  /** Turn {@code n}, or null when the run has no such turn. */
  public Turn turn(int n) {
    for (Turn t : turns) if (t.number() == n) return t;
    return null;
  }

  public int lastTurn() {
    return turns.isEmpty() ? 0 : turns.get(turns.size() - 1).number();
  }
}
