package dev.marathon.activities;

import dev.marathon.activities.model.ModelReply;
import dev.marathon.activities.store.CheckpointStore;
import dev.marathon.activities.store.Conversations;
import dev.marathon.activities.store.Message;
import dev.marathon.activities.tools.ToolCatalog;
import dev.marathon.workflows.PlanStep;
import dev.marathon.workflows.api.Compaction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Shortens a conversation between turns, cheapest first: (1) mask old, bulky tool results; (2)
 * if still too long, summarize old turns with the model. The task (system prompt and first user
 * message) and the most recent turns stay verbatim, reasoning included; the plan and the files
 * touched are pinned into the summary. The result is a new checkpoint; the old one stays in the
 * store, and a failing summary call changes nothing.
 */
final class Compactor {
  /** Tool results longer than this, outside the recent turns, are masked. */
  static final int MASK_CHARS = 600;
  /** Old history fed to the summarizer is cut to this many characters (its tail is kept). */
  static final int MAX_SUMMARY_INPUT_CHARS = 200_000;

  interface Model {
    ModelReply complete(List<Message> messages, String purpose);
  }

  /** @param note what an operator should know about how it went, or null */
  record Result(String contextRef, Compaction method, long tokensBefore, long tokensAfter, ModelReply reply, String note) {
    Result(String contextRef, Compaction method, long tokensBefore, long tokensAfter, ModelReply reply) {
      this(contextRef, method, tokensBefore, tokensAfter, reply, null);
    }
  }

  private final Conversations conversations;
  private final ToolCatalog catalog;
  private final Model model;

  Compactor(Conversations conversations, ToolCatalog catalog, Model model) {
    this.conversations = conversations;
    this.catalog = catalog;
    this.model = model;
  }

  Result compact(String ref, long targetTokens, int keepTurns, List<PlanStep> plan) {
    List<Message> recorded = conversations.load(ref);
    // As the model is sent it: a runaway reply's omitted parts stay omitted (whole in the store).
    List<Message> all = ReplyCap.apply(recorded);
    long before = TokenEstimate.of(all);
    int firstAssistant = indexOfAssistant(all, 1);
    if (firstAssistant < 0) return new Result(ref, Compaction.NONE, before, before, null);

    // 1. Mask bulky tool results older than the recent turns: cheap, and often enough.
    int recent = Math.max(firstAssistant, startOfRecentTurns(all, keepTurns));
    List<Message> masked = masked(all, firstAssistant, recent);
    long afterMask = TokenEstimate.of(masked);
    if (afterMask <= targetTokens) {
      return afterMask < before
          ? new Result(conversations.replace(ref, masked), Compaction.MASKED, before, afterMask, null)
          : new Result(ref, Compaction.NONE, before, before, null);
    }

    // 2. Summarize the older turns; keep as many recent turns verbatim as fit in half the target.
    int keepFrom = keptSuffix(masked, firstAssistant, keepTurns, targetTokens / 2);
    if (keepFrom <= firstAssistant) {
      // Nothing old enough to summarize: a few turns with huge results in a small window (a local
      // model's). Mask the recent results too rather than give up; the model can ask again.
      List<Message> allMasked = masked(all, firstAssistant, all.size());
      long afterAll = TokenEstimate.of(allMasked);
      return afterAll < before
          ? new Result(conversations.replace(ref, allMasked), Compaction.MASKED, before, afterAll, null,
              afterMask > targetTokens ? "even the latest tool results were masked to fit the window" : null)
          : new Result(ref, Compaction.NONE, before, before, null);
    }
    // The head is the task itself (system prompt and first user message); everything after it,
    // earlier summaries included, is material for the new summary, so summaries never pile up.
    int headEnd = Math.min(firstAssistant, indexOfRole(all, "user") + 1);
    List<Message> head = all.subList(0, headEnd);
    ModelReply reply = model.complete(List.of(
        Message.system(Prompts.load("compact.md")),
        Message.user(render(head) + "\n\n# Work to summarize\n\n" + tail(render(masked.subList(headEnd, keepFrom)), MAX_SUMMARY_INPUT_CHARS))), "compact");
    if (reply.content() == null || reply.content().isBlank()) {
      // A reply that cannot be a summary (a small model answering with a tool call, or nothing) is
      // not worth retrying: fall back to masking at once, and say so.
      String why = "the summary call returned no text";
      return afterMask < before
          ? new Result(conversations.replace(ref, masked), Compaction.MASKED, before, afterMask, reply, why + "; old tool results were masked instead")
          : new Result(ref, Compaction.NONE, before, before, reply, why + "; the context was left as it was");
    }
    List<Message> compacted = new ArrayList<>(head);
    compacted.add(Message.user(pinned(reply.content(), plan, filesTouched(recorded.subList(headEnd, keepFrom)), keepFrom - headEnd)));
    int suffixStart = compacted.size();
    compacted.addAll(masked.subList(keepFrom, masked.size()));
    if (TokenEstimate.of(compacted) > targetTokens) {
      // Even the recent turns are too large: mask their bulky results too (reasoning stays verbatim).
      compacted = masked(compacted, suffixStart, compacted.size());
    }
    long after = TokenEstimate.of(compacted);
    return new Result(conversations.replace(ref, compacted), Compaction.SUMMARIZED, before, after, reply);
  }

  private List<Message> masked(List<Message> messages, int from, int to) {
    List<Message> out = new ArrayList<>(messages);
    for (int i = from; i < to; i++) out.set(i, mask(messages.get(i)));
    return out;
  }

  /**
   * Where the kept recent turns start: the earliest assistant message such that at most {@code
   * maxTurns} turns and about {@code budget} tokens follow, but always at least the last turn.
   */
  static int keptSuffix(List<Message> messages, int firstAssistant, int maxTurns, long budget) {
    int start = -1;
    int turns = 0;
    long tokens = 0;
    for (int i = messages.size() - 1; i > firstAssistant; i--) {
      tokens += messages.get(i).chars() / 4 + 1;
      if (!messages.get(i).isAssistant()) continue;
      turns++;
      if (start >= 0 && (turns > maxTurns || tokens > budget)) break;
      start = i;
    }
    return start < 0 ? firstAssistant : start;
  }

  private Message mask(Message m) {
    if (!"tool".equals(m.role()) || m.content() == null || m.content().length() <= MASK_CHARS) return m;
    String ref = CheckpointStore.hash(m.content().getBytes(StandardCharsets.UTF_8));
    String where = conversations.store().contains(ref) ? "stored as " + ref : "kept in the run's transcript";
    String head = m.content().substring(0, Math.min(200, m.content().length()));
    return Message.toolResult(m.toolCallId(), m.name(),
        head + "\n[marathon: the rest of this " + m.content().length() + "-character result was elided to save context; "
            + where + ". Run the tool again if you need it.]");
  }

  static final String PINNED_MARK = Prompts.COMPACTION_MARK;
  static final String FILES_HEADING = "## Files touched so far";

  static String pinned(String summary, List<PlanStep> plan, Set<String> files, int messagesReplaced) {
    StringBuilder sb = new StringBuilder(PINNED_MARK)
        .append(messagesReplaced).append(" earlier messages were replaced by this summary. The most recent turns follow verbatim.\n\n");
    sb.append("## Plan (current)\n");
    if (plan.isEmpty()) sb.append("(none recorded)\n");
    for (PlanStep s : plan) sb.append("- [").append(s.status().wireName()).append("] ").append(s.step()).append('\n');
    sb.append("\n").append(FILES_HEADING).append("\n");
    if (files.isEmpty()) sb.append("(none written yet)\n");
    for (String f : files) sb.append("- ").append(f).append('\n');
    sb.append("\n## Summary of earlier work\n").append(summary.strip()).append('\n');
    return sb.toString();
  }

  /** Paths written or edited, including those an earlier summary pinned (its turns are gone). */
  Set<String> filesTouched(List<Message> messages) {
    Set<String> files = new LinkedHashSet<>();
    for (Message m : messages) {
      if ("user".equals(m.role()) && m.content() != null && m.content().startsWith(PINNED_MARK)) {
        String after = m.content().substring(m.content().indexOf(FILES_HEADING) + FILES_HEADING.length());
        for (String line : after.split("\n")) {
          if (line.startsWith("## ")) break;
          if (line.startsWith("- ")) files.add(line.substring(2));
        }
      }
      for (Message.Call c : m.calls()) {
        String path = catalog.pathWritten(c);
        if (path != null && !path.isBlank()) files.add(path);
      }
    }
    return files;
  }

  private static String render(List<Message> messages) {
    StringBuilder sb = new StringBuilder();
    for (Message m : messages) {
      sb.append("### ").append(m.role()).append(m.name() != null ? " (" + m.name() + ")" : "").append('\n');
      if (m.reasoning() != null && !m.reasoning().isBlank()) sb.append("(thinking) ").append(m.reasoning()).append('\n');
      if (m.content() != null && !m.content().isBlank()) sb.append(m.content()).append('\n');
      for (Message.Call c : m.calls()) sb.append("→ ").append(c.name()).append(' ').append(c.arguments()).append('\n');
    }
    return sb.toString();
  }

  private static String tail(String s, int max) {
    return s.length() <= max ? s : "[… earlier part cut …]\n" + s.substring(s.length() - max);
  }

  private static int indexOfRole(List<Message> all, String role) {
    for (int i = 0; i < all.size(); i++) if (role.equals(all.get(i).role())) return i;
    return -1;
  }

  /** Index of the {@code n}-th assistant message from the start (1-based), or -1. */
  private static int indexOfAssistant(List<Message> all, int n) {
    int seen = 0;
    for (int i = 0; i < all.size(); i++) if (all.get(i).isAssistant() && ++seen == n) return i;
    return -1;
  }

  /** Index of the {@code n}-th assistant message from the end (1-based), or 0 if there are fewer. */
  private static int startOfRecentTurns(List<Message> all, int n) {
    int seen = 0;
    for (int i = all.size() - 1; i >= 0; i--) if (all.get(i).isAssistant() && ++seen == n) return i;
    return 0;
  }
}
