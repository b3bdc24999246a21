package dev.marathon.activities.model;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One HTTP/1.1 answer read from a connection on the caller's thread: its status, its headers and
 * its body, decoded from chunks, a length or the connection's end.
 *
 * <p>Every read may throw {@link SocketTimeoutException} when the connection is silent for the
 * socket's read timeout (the caller's tick for liveness and stalls) and may then simply be called
 * again: no state is lost with it, because all of it — a line half read, where a chunk is — lives
 * in this object. That is what lets a streamed model reply be read without a second thread.
 */
final class HttpAnswer {
  /** An answer's status line and headers together are at most this big; a hostile or broken server gets no more. */
  private static final int MAX_HEAD = 64 * 1024;
  private final InputStream in;
  private final byte[] buf = new byte[16 * 1024];
  private int pos;
  private int lim;
  /** The body's line being read; apart from {@link #head}, since a body line may span chunks. */
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  /** The framing's line being read: the status, a header, a chunk's size, a trailer. */
  private final ByteArrayOutputStream head = new ByteArrayOutputStream();
  private final ByteArrayOutputStream text = new ByteArrayOutputStream();
  private int status = -1;
  private boolean http10;
  private final Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
  private int headBytes;
  /** Where the body's reading is: what comes next on the connection. */
  private enum Framing { LENGTH, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, UNTIL_CLOSE, ENDED }

  private Framing framing;
  /** Bytes left in the current chunk, or in a body of known length. */
  private long left;
  private boolean closeDelimited;
  private final byte[] one = new byte[1];
  /** Whether any byte of the answer has arrived: a kept connection that ends before one was stale. */
  private boolean anyByte;

  HttpAnswer(InputStream in) {
    this.in = in;
  }

  /** Reads the status line and headers (skipping any 1xx answer); resumable after a read timeout. */
  void readHead() throws IOException {
    while (true) {
      String l = readLine(true);
      if (status < 0) {
        parseStatus(l);
      } else if (!l.isEmpty()) {
        int colon = l.indexOf(':');
        if (colon <= 0) throw new IOException("a malformed header line in the answer: " + abbreviate(l));
        headers.merge(l.substring(0, colon).strip(), l.substring(colon + 1).strip(), (a, b) -> a + ", " + b);
      } else if (status / 100 == 1) {
        status = -1; // the end of an interim answer (100 Continue): the real one follows
      } else {
        break;
      }
    }
    String encoding = header("transfer-encoding").orElse("").toLowerCase(Locale.ROOT);
    String length = header("content-length").orElse(null);
    if (encoding.endsWith("chunked")) {
      framing = Framing.CHUNK_SIZE;
    } else if (!encoding.isEmpty()) {
      framing = Framing.UNTIL_CLOSE; // another coding: its bytes end with the connection
      closeDelimited = true;
    } else if (length != null) {
      try {
        left = Long.parseLong(length.strip());
      } catch (NumberFormatException e) {
        throw new IOException("a malformed Content-Length in the answer: " + abbreviate(length));
      }
      if (left < 0) throw new IOException("a negative Content-Length in the answer");
      framing = left == 0 ? Framing.ENDED : Framing.LENGTH;
    } else if (status == 204 || status == 304) {
      framing = Framing.ENDED;
    } else {
      framing = Framing.UNTIL_CLOSE;
      closeDelimited = true;
    }
  }

  private void parseStatus(String l) throws IOException {
    // "HTTP/1.1 200 OK": the reason phrase may be empty or missing
    if (!l.startsWith("HTTP/1.") || l.length() < 12 || l.charAt(8) != ' ') {
      throw new IOException("not an HTTP/1.x answer: " + abbreviate(l));
    }
    http10 = l.charAt(7) == '0';
    try {
      status = Integer.parseInt(l.substring(9, 12));
    } catch (NumberFormatException e) {
      throw new IOException("a malformed status line in the answer: " + abbreviate(l));
    }
    headers.clear();
  }

  int status() {
    return status;
  }

  Optional<String> header(String name) {
    return Optional.ofNullable(headers.get(name));
  }

  boolean anyByte() {
    return anyByte;
  }

  /** Whether the connection may carry another request once this body has been read to its end. */
  boolean reusable() {
    return framing == Framing.ENDED && !closeDelimited && !http10 && !header("connection").orElse("").toLowerCase(Locale.ROOT).contains("close");
  }

  /** The body's next line, without its end (LF or CRLF), or null at the body's end; resumable after a read timeout. */
  String readBodyLine() throws IOException {
    while (true) {
      if (pos < lim && (framing == Framing.LENGTH || framing == Framing.CHUNK_DATA || framing == Framing.UNTIL_CLOSE)) {
        int end = framing == Framing.UNTIL_CLOSE ? lim : (int) Math.min(lim, pos + left);
        int from = pos;
        int newline = from;
        while (newline < end && buf[newline] != '\n') newline++;
        boolean found = newline < end;
        int n = (found ? newline + 1 : end) - from;
        line.write(buf, from, found ? n - 1 : n);
        consumed(n);
        if (found) return take(line);
        continue;
      }
      int c = readBodyByte(); // framing comes next, or the buffer is empty
      if (c < 0) return line.size() == 0 ? null : take(line);
      if (c == '\n') return take(line);
      line.write(c);
    }
  }

  /** The whole body as text; resumable after a read timeout (what came before it is kept). */
  String readBodyText() throws IOException {
    byte[] b = new byte[8192];
    for (int n; (n = readBody(b, 0, b.length)) > 0; ) text.write(b, 0, n);
    return text.toString(StandardCharsets.UTF_8);
  }

  /** Bytes read from the connection past what was taken so far. */
  int buffered() {
    return lim - pos;
  }

  /** Whether the body has been read to its end. */
  boolean bodyEnded() {
    return framing == Framing.ENDED;
  }

  private int readBodyByte() throws IOException {
    return readBody(one, 0, 1) <= 0 ? -1 : one[0] & 0xff;
  }

  /** Up to {@code n} bytes of the body, or -1 at its end; resumable after a read timeout. */
  private int readBody(byte[] b, int off, int n) throws IOException {
    while (true) {
      switch (framing) {
        case ENDED:
          return -1;
        case CHUNK_SIZE: {
          String size = readLine(false);
          int semicolon = size.indexOf(';'); // chunk extensions
          try {
            left = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).strip(), 16);
          } catch (NumberFormatException e) {
            throw new IOException("a malformed chunk size in the answer: " + abbreviate(size));
          }
          if (left < 0) throw new IOException("a negative chunk size in the answer");
          framing = left == 0 ? Framing.TRAILERS : Framing.CHUNK_DATA;
          continue;
        }
        case CHUNK_END:
          if (!readLine(false).isEmpty()) throw new IOException("a chunk of the answer is longer than its size says");
          framing = Framing.CHUNK_SIZE;
          continue;
        case TRAILERS:
          if (readLine(false).isEmpty()) framing = Framing.ENDED; // trailer fields matter to nothing here
          continue;
        case UNTIL_CLOSE:
          if (pos == lim && !fill()) {
            framing = Framing.ENDED;
            return -1;
          }
          return copy(b, off, n);
        default: // LENGTH, CHUNK_DATA
          if (pos == lim && !fill()) throw new EOFException("the connection closed before the answer's body ended");
          return copy(b, off, (int) Math.min(n, left));
      }
    }
  }

  /** Copies buffered body bytes out, at most {@code n}, and counts them as read. */
  private int copy(byte[] b, int off, int n) {
    int take = Math.min(n, lim - pos);
    System.arraycopy(buf, pos, b, off, take);
    consumed(take);
    return take;
  }

  /** Counts {@code n} buffered bytes of the body (no more than its framing has left) as read. */
  private void consumed(int n) {
    pos += n;
    if (framing == Framing.UNTIL_CLOSE) return;
    left -= n;
    if (left == 0) framing = framing == Framing.LENGTH ? Framing.ENDED : Framing.CHUNK_END;
  }

  /** A protocol line (head, chunk size, trailer) without its end; a line over the head's limit is refused. */
  private String readLine(boolean inHead) throws IOException {
    while (true) {
      if (pos == lim && !fill()) {
        throw new EOFException(anyByte ? "the connection closed in the middle of the answer" : "the connection closed before an answer");
      }
      byte c = buf[pos++];
      if (inHead && ++headBytes > MAX_HEAD) throw new IOException("the answer's headers are over " + MAX_HEAD + " bytes");
      if (c == '\n') return take(head);
      if (head.size() > MAX_HEAD) throw new IOException("a line of the answer's framing is over " + MAX_HEAD + " bytes");
      head.write(c);
    }
  }

  private static String take(ByteArrayOutputStream line) {
    byte[] bytes = line.toByteArray();
    line.reset();
    int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
    return new String(bytes, 0, n, StandardCharsets.UTF_8);
  }

  /** False at the connection's end; a read timeout propagates with nothing lost (the buffer was empty). */
  private boolean fill() throws IOException {
    int n = in.read(buf, 0, buf.length);
    if (n <= 0) return false;
    anyByte = true;
    pos = 0;
    lim = n;
    return true;
  }

  private static String abbreviate(String s) {
    return s.length() > 120 ? s.substring(0, 120) + "…" : s;
  }
}
