package dev.marathon.activities;

import dev.marathon.activities.store.Message;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Providers refuse a conversation in which a tool call has no result. A run interrupted between
 * a model turn and the end of its tools (terminated, resumed from a checkpoint) would otherwise
 * be unresumable; the calls that never ran get a result saying so.
 */
final class DanglingCalls {
  static final String NOT_RUN = "Not run: the run was interrupted before this call ran. Check the workspace state and call it again if still needed.";

  /** Results for the calls of the last assistant message that neither history nor {@code results} answer. */
  static List<Message> answer(List<Message> conversation, List<Message> results) {
    int last = -1;
    for (int i = conversation.size() - 1; i >= 0; i--) {
      if (conversation.get(i).isAssistant()) {
        last = i;
        break;
      }
    }
    if (last < 0) return List.of();
    Set<String> answered = new HashSet<>();
    for (Message m : conversation.subList(last + 1, conversation.size())) if (m.toolCallId() != null) answered.add(m.toolCallId());
    for (Message m : results) if (m.toolCallId() != null) answered.add(m.toolCallId());
    List<Message> synthetic = new ArrayList<>();
    for (Message.Call c : conversation.get(last).calls()) {
      if (!answered.contains(c.id())) synthetic.add(Message.toolResult(c.id(), c.name(), NOT_RUN));
    }
    return synthetic;
  }

  private DanglingCalls() {}
}
