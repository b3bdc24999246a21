package dev.marathon.workflows;

import java.nio.charset.StandardCharsets;

/** Shortening text for places with size limits (activity summaries, digests, Markdown cells). */
public final class Text {

  /** At most {@code maxChars} characters, ending in an ellipsis when cut; one line. */
  public static String oneLine(String s, int maxChars) {
    if (s == null) return "";
    String line = s.strip().replaceAll("\\s+", " ");
    return line.length() <= maxChars ? line : line.substring(0, Math.max(0, maxChars - 1)) + "…";
  }

  /** At most {@code maxBytes} UTF-8 bytes (Temporal limits summaries in bytes), one line. */
  public static String oneLineBytes(String s, int maxBytes) {
    String line = oneLine(s, maxBytes);
    while (line.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
      line = line.substring(0, line.length() - 2) + "…";
    }
    return line;
  }

  private Text() {}
}
