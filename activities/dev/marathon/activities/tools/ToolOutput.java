package dev.marathon.activities.tools;

/**
 * What a tool produced.
 *
 * @param ok false for a refused call or a command that failed
 * @param text what the model is shown (already bounded)
 * @param fullOutput the untruncated output when it differs from {@code text}, else null
 * @param summary one short human line for the Web UI and the progress view
 */
public record ToolOutput(boolean ok, String text, String fullOutput, String summary) {

  public static ToolOutput ok(String text, String summary) {
    return new ToolOutput(true, text, null, summary);
  }

  public static ToolOutput error(String message) {
    return new ToolOutput(false, "Error: " + message, null, "error: " + firstLine(message));
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 120 ? line.substring(0, 119) + "…" : line;
  }
}
