package dev.marathon.activities.sandbox;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The kept sandbox's output, split into its commands' outputs, however the bytes arrive. */
class CommandFramingTest {
  static final String TOKEN = "0123456789abcdef0123456789abcdef";

  /** Feeds {@code stream} in pieces of random sizes, from one byte up. */
  static void feed(CommandFraming framing, String stream, Random random) {
    byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
    for (int at = 0; at < bytes.length; ) {
      int n = Math.min(bytes.length - at, 1 + random.nextInt(random.nextBoolean() ? 3 : 64));
      framing.accept(bytes, at, n);
      at += n;
    }
  }

  @Test
  void eachCommandGetsExactlyWhatItWroteWhereverTheReadsSplitTheStream() {
    String[] outputs = {
        "", "abc", "no newline at the end", "lines\nand\nmore\n", "\n\n\n", TOKEN + " start\n", TOKEN + "\n", TOKEN + " 12",
        "\n" + TOKEN + " x\n", "\nffffffffffffffffffffffffffffffff 0\n", "ünïcödé ✓\r\n\t", "\n" + TOKEN + " 1234\n", "\n" + TOKEN.substring(0, 31) + " 0\n",
    };
    for (int seed = 0; seed < 200; seed++) {
      Random random = new Random(seed);
      CommandFraming framing = new CommandFraming();
      feed(framing, "bwrap: something before\nmarathon-session 3 4\n", random);
      assertArrayEquals(new long[] {3, 4}, framing.ready());
      for (String output : outputs) {
        String token = TOKEN.substring(1) + (char) ('a' + random.nextInt(6));
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        framing.expect(token, sink);
        feed(framing, "late output of the command before\n\n" + token + " start\n" + output + "\n" + token + " 7\nafter\n", random);
        assertEquals(output, sink.toString(StandardCharsets.UTF_8), "seed " + seed);
        assertEquals(new CommandFraming.End(CommandFraming.End.Kind.EXITED, 7), framing.end());
      }
    }
  }

  @Test
  void aRefusedCommandAndAnEndedSandboxAreToldApart() {
    CommandFraming framing = new CommandFraming();
    framing.accept("marathon-session 2\n".getBytes(StandardCharsets.UTF_8), 0, 19);
    assertArrayEquals(new long[] {2}, framing.ready());
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    framing.expect(TOKEN, sink);
    byte[] unclean = ("\n" + TOKEN + " unclean\n").getBytes(StandardCharsets.UTF_8);
    framing.accept(unclean, 0, unclean.length);
    assertEquals(CommandFraming.End.Kind.UNCLEAN, framing.end().kind());

    framing.expect(TOKEN, sink);
    byte[] started = ("\n" + TOKEN + " start\npartial output").getBytes(StandardCharsets.UTF_8);
    framing.accept(started, 0, started.length);
    assertNull(framing.end());
    framing.closed();
    assertEquals(CommandFraming.End.Kind.GONE, framing.end().kind());
    assertEquals("partial output", sink.toString(StandardCharsets.UTF_8));
    framing.expect(TOKEN, sink);
    assertEquals(CommandFraming.End.Kind.UNCLEAN, framing.end().kind(), "nothing more comes from an ended sandbox: the command is not run");

    CommandFraming before = new CommandFraming();
    before.expect(TOKEN, sink);
    before.closed();
    assertEquals(CommandFraming.End.Kind.UNCLEAN, before.end().kind(), "a sandbox that ends before the command starts did not run it");
  }

  @Test
  void aLoopThatNeverSaysItIsReadyIsNotTakenForOne() {
    CommandFraming framing = new CommandFraming();
    byte[] bytes = "marathon-session x\nmarathon-session 2 \nbwrap: setting up uid map: Permission denied\n".getBytes(StandardCharsets.UTF_8);
    framing.accept(bytes, 0, bytes.length);
    assertNull(framing.ready());
  }
}
