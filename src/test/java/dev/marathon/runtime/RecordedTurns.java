package dev.marathon.runtime;

import dev.marathon.activities.Prompts;
import dev.marathon.activities.store.CheckpointStore;
import dev.marathon.activities.store.Conversations;
import dev.marathon.activities.store.Message;
import dev.marathon.activities.store.TurnMeta;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes a run's checkpoints the way its activities do (a root, one segment per turn, compaction roots), for reading back. */
final class RecordedTurns {
  final Conversations conversations;
  final CheckpointStore store;
  /** The latest checkpoint: what the run's state would hold as its context ref. */
  String at;

  RecordedTurns(Path dir, String title, String task) {
    store = CheckpointStore.open(dir);
    conversations = new Conversations(store, 4);
    at = conversations.append(null, List.of(Message.system("You are a coding agent."), Message.user(Prompts.task(title, task))));
  }

  /** Turn {@code n}: the messages delivered with it, then the reply; the workspace it started from and what it cost. */
  String turn(int n, String workspaceRef, List<Message> delivered, Message reply) {
    List<Message> added = new ArrayList<>(delivered);
    added.add(reply);
    at = conversations.append(at, added, new TurnMeta(n, workspaceRef, 100L * n, 10L * n, n, 0.01 * n, 1_000L * n, 50L * n));
    return at;
  }

  /** A segment written before turns were recorded (commit c47e2bf, 2026-12-01): no record of the turn. */
  String legacyTurn(List<Message> delivered, Message reply) {
    List<Message> added = new ArrayList<>(delivered);
    added.add(reply);
    at = conversations.append(at, added);
    return at;
  }

  /** A compaction: a new root holding {@code messages} that replaces the conversation so far. */
  String compact(List<Message> messages) {
    at = conversations.replace(at, messages);
    return at;
  }

  RunTranscript read() {
    return RunTranscript.read(conversations, at);
  }

  static Message reply(String reasoning, Message.Call... calls) {
    return Message.assistant(null, reasoning, "reasoning_content", List.of(calls), "kimi");
  }

  static Message.Call bash(String id, String command) {
    return new Message.Call(id, "bash", "{\"command\": \"" + command + "\"}");
  }

  static Message.Call plan(String id, String steps) {
    return new Message.Call(id, "update_plan", "{\"steps\": " + steps + "}");
  }
}
