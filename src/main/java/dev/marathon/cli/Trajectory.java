package dev.marathon.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.marathon.activities.Json;
import dev.marathon.activities.store.Message;
import dev.marathon.runtime.RunTranscript;

/**
 * One turn of a run as a JSON object: the format of {@code ./marathon export} (one object per line)
 * and {@code ./marathon log --json}. Documented in docs/operations.md ("Trajectories").
 */
final class Trajectory {

  static ObjectNode turn(RunTranscript transcript, RunTranscript.Turn t) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("turn", t.number());
    o.put("checkpoint", t.ref());
    if (t.compaction() != null) {
      o.putObject("compactedBefore").put("root", t.compaction().root()).put("original", t.compaction().original())
          .put("summary", t.compaction().summary());
    }
    ArrayNode messages = o.putArray("messages");
    for (Message m : t.userMessages()) {
      boolean notice = m.content() != null && m.content().startsWith("[marathon]");
      messages.addObject().put("from", notice ? "marathon" : "operator")
          .put("text", notice ? m.content() : m.content().replaceFirst("^Message from the operator: ", ""));
    }
    Message reply = t.reply();
    if (reply != null) {
      if (reply.reasoning() != null) o.put("reasoning", reply.reasoning());
      if (reply.content() != null) o.put("reply", reply.content());
      ArrayNode calls = o.putArray("toolCalls");
      RunTranscript.Turn next = transcript.turn(t.number() + 1);
      for (Message.Call c : reply.calls()) {
        ObjectNode call = calls.addObject().put("id", c.id()).put("name", c.name()).put("arguments", c.arguments());
        Message result = next == null ? null : next.toolResults().stream().filter(m -> c.id().equals(m.toolCallId())).findFirst().orElse(null);
        if (result != null) call.put("result", result.content());
      }
    }
    if (t.meta() != null) {
      o.putObject("usage").put("promptTokens", t.meta().promptTokens()).put("completionTokens", t.meta().completionTokens())
          .put("cachedTokens", t.meta().cachedTokens()).put("costUsd", t.meta().costUsd());
      o.putObject("timing").put("startedAt", java.time.Instant.ofEpochMilli(t.meta().startedAtMillis()).toString())
          .put("modelMillis", t.meta().modelMillis());
      if (t.meta().workspaceRef() != null) o.put("workspaceBefore", t.meta().workspaceRef());
    }
    return o;
  }

  private Trajectory() {}
}
