package dev.marathon.activities.model.local;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text of a call the model is making, {@code {"name": ..., "arguments": {...}}}, read while it
 * is still being made: the tool's name as soon as it is complete, where the arguments start, and —
 * once the text is complete — the arguments exactly as the model wrote them.
 *
 * @param name the tool's name, or null while it is not complete
 * @param argumentsStart where the arguments' text starts, or -1 while it has not
 * @param arguments the arguments' text when the call is complete, else null
 */
record CallText(String name, int argumentsStart, String arguments) {
  private static final Pattern NAME = Pattern.compile("\"name\"\\s*:\\s*\"([^\"]*)\"");
  private static final Pattern ARGUMENTS = Pattern.compile("\"arguments\"\\s*:\\s*");
  private static final JsonFactory JSON = new JsonFactory();

  static CallText of(String text) {
    Matcher n = NAME.matcher(text);
    String name = n.find() ? n.group(1) : null;
    Matcher a = ARGUMENTS.matcher(text);
    int start = a.find() ? a.end() : -1;
    return new CallText(name, start, start < 0 ? null : complete(text));
  }

  /** The arguments' exact text when the whole call parses, else null. */
  private static String complete(String text) {
    try (JsonParser p = JSON.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) return null;
      String found = null;
      for (JsonToken t = p.nextToken(); t != null && t != JsonToken.END_OBJECT; t = p.nextToken()) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        int from = (int) p.currentTokenLocation().getCharOffset();
        if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) p.skipChildren();
        int to = (int) p.currentLocation().getCharOffset();
        if ("arguments".equals(field)) found = text.substring(from, to);
      }
      return found;
    } catch (IOException incomplete) {
      return null;
    }
  }
}
