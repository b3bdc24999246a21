package dev.marathon.activities;

import dev.marathon.activities.store.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How much of the context one model reply may take. Every reply is checkpointed whole, whatever
 * its size: the store is the run's record. What goes back to the model on later turns is capped.
 * Without a cap, one runaway reply — megabytes of reasoning from a server that ignored {@code
 * max_tokens}, a tool call with megabytes of arguments — made every later prompt larger than the
 * window, and compaction, which keeps the recent turns verbatim, could not shrink it: the run
 * paused, and paused again at every unpause.
 *
 * <p>A reply over the cap has its largest parts (its reasoning, its text, a call's arguments)
 * replaced, largest first, by a short notice that says what was omitted, how large it was, and
 * that it is kept in the store, until the rest fits. A call whose arguments are replaced keeps its
 * id and name, and its arguments stay a JSON object (servers refuse anything else); its result is
 * unchanged (a call over {@link dev.marathon.activities.tools.Arguments#MAX_BYTES} was refused
 * and never ran, and its result says so).
 */
public final class ReplyCap {
  /**
   * Characters of one assistant message — reasoning, text and every call's arguments together —
   * sent back to the model: 256 Ki, about 64k tokens. Four times the largest output limit the
   * presets ask for (16,384 tokens, about 64k characters), so a reply from a server that honours
   * {@code max_tokens} is never touched; and under half of the smallest window a hosted or served
   * preset has (131,072 tokens), so a capped reply always leaves room for the rest of the
   * conversation, which compaction can then shrink.
   */
  public static final int MAX_REPLY_CHARS = 256 * 1024;

  /**
   * When a prompt does not fit a small window even so (a local server started with 8k tokens, whose
   * model ran away), each reply may take at most this share of the window: a quarter, so that the
   * task, the latest tool results and a reply or two still fit, and compaction can make room for
   * the rest. Only then: a prompt that fits keeps every reply under {@link #MAX_REPLY_CHARS} whole.
   */
  public static final int WINDOW_SHARE = 4;

  /** How every notice that stands in for an omitted part begins. */
  public static final String MARK = "[marathon: ";

  /** The key of the one field that stands in for a call's omitted arguments. */
  public static final String OMITTED_ARGUMENTS = "marathon_omitted";

  /** {@code messages} as the model is sent them: each reply capped; the same list when none is over. */
  public static List<Message> apply(List<Message> messages) {
    return apply(messages, MAX_REPLY_CHARS);
  }

  /** The cap for a prompt that must fit a window of {@code windowTokens} (about four characters a token). */
  public static int forWindow(long windowTokens) {
    return (int) Math.min(MAX_REPLY_CHARS, Math.max(1_024, windowTokens * 4 / WINDOW_SHARE));
  }

  /** {@code messages} with each reply capped at {@code cap} characters; the same list when none is over. */
  public static List<Message> apply(List<Message> messages, int cap) {
    List<Message> out = null;
    for (int i = 0; i < messages.size(); i++) {
      Message m = messages.get(i);
      Message capped = apply(m, cap);
      if (capped != m) {
        if (out == null) out = new ArrayList<>(messages);
        out.set(i, capped);
      }
    }
    return out == null ? messages : out;
  }

  /** One message as the model is sent it: the same message when it is not a reply over the cap. */
  public static Message apply(Message m) {
    return apply(m, MAX_REPLY_CHARS);
  }

  static Message apply(Message m, int cap) {
    if (!m.isAssistant() || size(m) <= cap) return m;
    String reasoning = m.reasoning();
    String content = m.content();
    List<Message.Call> calls = new ArrayList<>(m.calls());
    while (true) {
      long total = length(reasoning) + length(content);
      for (Message.Call c : calls) total += length(c.arguments());
      if (total <= cap) break;
      // The largest part goes first; -1 the reasoning, -2 the text, else a call's index.
      int largest = -1;
      int largestChars = length(reasoning);
      if (length(content) > largestChars) {
        largest = -2;
        largestChars = length(content);
      }
      for (int i = 0; i < calls.size(); i++) {
        if (length(calls.get(i).arguments()) > largestChars) {
          largest = i;
          largestChars = length(calls.get(i).arguments());
        }
      }
      String notice;
      if (largest == -1) {
        notice = notice("this reply's reasoning", largestChars, cap);
        if (notice.length() >= largestChars) break; // nothing left worth replacing
        reasoning = notice;
      } else if (largest == -2) {
        notice = notice("this reply's text", largestChars, cap);
        if (notice.length() >= largestChars) break;
        content = notice;
      } else {
        Message.Call c = calls.get(largest);
        String arguments = Json.MAPPER.createObjectNode().put(OMITTED_ARGUMENTS, notice("this call's arguments", largestChars, cap)).toString();
        if (arguments.length() >= largestChars) break;
        calls.set(largest, new Message.Call(c.id(), c.name(), arguments));
      }
    }
    return new Message(m.role(), content, reasoning, m.reasoningField(), m.toolCalls() == null ? null : List.copyOf(calls),
        m.toolCallId(), m.name(), m.provider(), m.contentRef());
  }

  /** What stands in for an omitted part. */
  static String notice(String what, int chars, int cap) {
    return MARK + what + " (" + String.format(Locale.ROOT, "%,d", chars) + " characters) omitted here: the reply was over the cap of "
        + String.format(Locale.ROOT, "%,d", cap) + " characters that one reply may take of the context. It is kept in full"
        + " in the run's checkpoint store.]";
  }

  private static long size(Message m) {
    long n = length(m.reasoning()) + length(m.content());
    for (Message.Call c : m.calls()) n += length(c.arguments());
    return n;
  }

  private static int length(String s) {
    return s == null ? 0 : s.length();
  }

  private ReplyCap() {}
}
