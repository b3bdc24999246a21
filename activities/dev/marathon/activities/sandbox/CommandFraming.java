package dev.marathon.activities.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a kept sandbox's one output stream into its commands' outputs. For each command the
 * sandbox's loop prints, on lines of their own, {@code <token> start} before it and {@code <token>
 * <exit code>} after it (or {@code <token> unclean} instead of running it), each line after a
 * newline of its own, with a token the worker made for that command. What comes before the start
 * line (late output of a command before, already killed) is dropped; what comes between the lines
 * goes to the command's sink, byte for byte. Nothing here trusts the stream to be well-formed: a
 * marker split over reads, a line that only begins like one, output without a final newline all
 * come out as the command wrote them.
 */
final class CommandFraming {
  /** The loop's first line: its own process id and the egress bridge's, in the sandbox's PID namespace. */
  private static final Pattern READY = Pattern.compile("marathon-session (\\d+)((?: \\d+)*)");
  /** Longer than any marker line: a longer line is output, not a marker. */
  private static final int MAX_MARKER = 96;

  /**
   * What the current command came to: it exited (with {@code exitCode}); it did not start
   * (UNCLEAN: the loop could not empty its scratch directories, or the sandbox ended before); or
   * the sandbox's output ended while it ran (GONE: the loop or the sandbox died, the command's exit
   * code is unknown).
   */
  record End(Kind kind, int exitCode) {
    enum Kind { EXITED, UNCLEAN, GONE }
  }

  private enum Phase { IDLE, WAITING_START, RUNNING }

  private Phase phase = Phase.IDLE;
  private String token;
  private OutputStream sink;
  /** In RUNNING: a newline and what followed it, held back while it may still be the end marker. */
  private final ByteArrayOutputStream held = new ByteArrayOutputStream();
  /** Outside RUNNING: the current line, while it is short enough to be a marker. */
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private boolean lineTooLong;
  private long[] ready;
  private boolean closed;
  private End end;

  /** The process ids the loop announced, once it has (null before). */
  synchronized long[] ready() {
    return ready;
  }

  /** The next command's output goes to {@code sink}, between the lines that carry {@code token}. */
  synchronized void expect(String token, OutputStream sink) {
    if (closed) {
      end = new End(End.Kind.UNCLEAN, -1); // not run: nothing comes from an ended sandbox
      return;
    }
    this.token = token;
    this.sink = sink;
    this.end = null;
    this.phase = Phase.WAITING_START;
    this.line.reset();
    this.lineTooLong = false;
  }

  /** The sandbox's output has ended: a command still waited for is GONE, and nothing comes any more. */
  synchronized void closed() {
    if (phase == Phase.RUNNING && held.size() > 0) {
      try {
        writeHeld(); // what looked like the start of a marker was output after all
      } catch (UncheckedIOException sinkFailed) {
        // the sandbox is over either way
      }
    }
    if (phase == Phase.WAITING_START) finish(new End(End.Kind.UNCLEAN, -1)); // it never started: a fresh sandbox is to run it
    else if (phase == Phase.RUNNING) finish(new End(End.Kind.GONE, -1));
    phase = Phase.IDLE;
    closed = true;
    notifyAll();
  }

  synchronized boolean isClosed() {
    return closed;
  }

  /** How the current command ended, or null while it runs. */
  synchronized End end() {
    return end;
  }

  synchronized void accept(byte[] bytes, int offset, int length) {
    int i = offset;
    int to = offset + length;
    while (i < to) {
      if (phase == Phase.RUNNING && held.size() == 0 && bytes[i] != '\n') {
        int run = i;
        while (run < to && bytes[run] != '\n') run++;
        write(bytes, i, run - i); // a stretch of output without a newline cannot hold a marker
        i = run;
        continue;
      }
      byte b = bytes[i++];
      if (phase == Phase.RUNNING) running(b);
      else betweenCommands(b);
    }
    notifyAll();
  }

  /** Waits up to {@code millis} for the current command's end (or the loop's first line); false when it has not come. */
  synchronized boolean await(long millis, boolean forReady) throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000;
    while ((forReady ? ready == null : end == null) && !closed) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) return false;
      wait(left);
    }
    return forReady ? ready != null : end != null;
  }

  private void betweenCommands(byte b) {
    if (b != '\n') {
      if (line.size() < MAX_MARKER) line.write(b);
      else lineTooLong = true;
      return;
    }
    String text = lineTooLong ? null : line.toString(StandardCharsets.ISO_8859_1);
    line.reset();
    lineTooLong = false;
    if (text == null) return;
    if (phase == Phase.IDLE && ready == null) {
      Matcher m = READY.matcher(text);
      if (m.matches()) ready = parsePids(m.group(1) + m.group(2));
    } else if (phase == Phase.WAITING_START && text.equals(token + " start")) {
      phase = Phase.RUNNING;
      held.reset();
    } else if (phase == Phase.WAITING_START && text.equals(token + " unclean")) {
      finish(new End(End.Kind.UNCLEAN, -1));
    }
  }

  /** A command's byte: output, unless it is part of what may be the end marker (a newline, the token, a space, digits, a newline). */
  private void running(byte b) {
    if (held.size() == 0) {
      if (b == '\n') held.write(b);
      else write(b);
      return;
    }
    if (b == '\n') {
      String candidate = held.toString(StandardCharsets.ISO_8859_1).substring(1);
      Integer code = exitCode(candidate);
      if (code != null) {
        finish(new End(End.Kind.EXITED, code));
        return;
      }
      writeHeld();
      held.write(b); // this newline may begin the marker in turn
      return;
    }
    held.write(b);
    if (!couldBeMarker(held.toString(StandardCharsets.ISO_8859_1).substring(1))) writeHeld();
  }

  private boolean couldBeMarker(String partial) {
    String prefix = token + " ";
    if (partial.length() <= prefix.length()) return prefix.startsWith(partial);
    if (!partial.startsWith(prefix) || partial.length() > MAX_MARKER) return false;
    String digits = partial.substring(prefix.length());
    return digits.chars().allMatch(Character::isDigit) && digits.length() <= 3;
  }

  private Integer exitCode(String candidate) {
    String prefix = token + " ";
    if (!candidate.startsWith(prefix)) return null;
    String digits = candidate.substring(prefix.length());
    if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(Character::isDigit)) return null;
    return Integer.parseInt(digits);
  }

  private void writeHeld() {
    byte[] bytes = held.toByteArray();
    held.reset();
    try {
      sink.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void write(byte[] bytes, int offset, int length) {
    try {
      sink.write(bytes, offset, length);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void write(byte b) {
    try {
      sink.write(b);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void finish(End e) {
    end = e;
    phase = Phase.IDLE;
    sink = null;
    held.reset();
    line.reset();
    lineTooLong = false;
  }

  private static long[] parsePids(String text) {
    String[] parts = text.trim().split(" ");
    long[] pids = new long[parts.length];
    for (int i = 0; i < parts.length; i++) pids[i] = Long.parseLong(parts[i]);
    return pids;
  }
}
