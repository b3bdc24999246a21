package dev.marathon.activities;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.activities.store.Message;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplyCapTest {
  static final int CAP = ReplyCap.MAX_REPLY_CHARS;

  @Test
  void repliesUnderTheCapAndOtherMessagesGoBackUntouched() {
    Message reply = Message.assistant("t".repeat(CAP / 2 - 100), "r".repeat(CAP / 2 - 100), "reasoning_content",
        List.of(new Message.Call("c1", "bash", "{\"command\": \"ls\"}")), "kimi");
    List<Message> conversation = List.of(Message.user("u".repeat(2 * CAP)), reply, Message.toolResult("c1", "bash", "o".repeat(2 * CAP)));
    assertSame(conversation, ReplyCap.apply(conversation), "tool results and user messages are compaction's business");
  }

  @Test
  void theLargestPartsGoFirstUntilTheReplyFits() {
    String thinking = "r".repeat(3 * CAP);
    String text = "t".repeat(CAP / 2);
    String args = "{\"command\": \"" + "x".repeat(CAP) + "\"}";
    Message reply = Message.assistant(text, thinking, "reasoning", List.of(new Message.Call("c1", "bash", args),
        new Message.Call("c2", "bash", "{\"command\": \"ls\"}")), "generic");

    Message sent = ReplyCap.apply(reply);
    assertTrue(sent.reasoning().startsWith(ReplyCap.MARK) && sent.reasoning().contains("786,432 characters"), sent.reasoning());
    assertTrue(sent.calls().get(0).arguments().contains(ReplyCap.OMITTED_ARGUMENTS), "then the next largest, the call");
    assertEquals(text, sent.content(), "what fits then stays");
    assertEquals("{\"command\": \"ls\"}", sent.calls().get(1).arguments());
    assertEquals(List.of("c1", "c2"), sent.calls().stream().map(Message.Call::id).toList(), "every call is still answered by its id");
    assertEquals("reasoning", sent.reasoningField());
    assertEquals(thinking, reply.reasoning(), "the recorded reply is not changed");
  }

  @Test
  void aSmallWindowGivesEachReplyAQuarterOfIt() {
    assertEquals(8_192, ReplyCap.forWindow(8_192), "8k tokens: 2k tokens, about 8k characters");
    assertEquals(CAP, ReplyCap.forWindow(1_000_000), "never more than the cap");
    assertEquals(1_024, ReplyCap.forWindow(100), "never less than a notice needs");
  }
}
