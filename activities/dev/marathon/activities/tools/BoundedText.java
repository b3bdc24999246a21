package dev.marathon.activities.tools;

/** Cuts long tool output for the model: the head and the tail, with the middle elided. */
public final class BoundedText {
  /** The most characters of one tool result the model is shown. */
  public static final int MODEL_CHARS = 16_000;

  public static String forModel(String text) {
    return cut(text, MODEL_CHARS);
  }

  public static String cut(String text, int max) {
    if (text.length() <= max) return text;
    int head = max * 3 / 8;
    int tail = max - head;
    int omitted = text.length() - head - tail;
    return text.substring(0, head) + "\n[… " + omitted + " characters omitted …]\n" + text.substring(text.length() - tail);
  }

  public static int lines(String text) {
    if (text.isEmpty()) return 0;
    int n = 1;
    for (int i = 0; i < text.length(); i++) if (text.charAt(i) == '\n' && i < text.length() - 1) n++;
    return n;
  }

  private BoundedText() {}
}
