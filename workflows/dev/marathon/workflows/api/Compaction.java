package dev.marathon.workflows.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What a compaction did to the conversation, cheapest first. */
public enum Compaction {
  /** Nothing could be done (or nothing needed doing): the context is unchanged. */
  NONE,
  /** Old, bulky tool results were replaced by a note saying where the original is. */
  MASKED,
  /** Older turns were summarized by the model; the task and the recent turns stay verbatim. */
  SUMMARIZED;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Reads the wire name (runs before 0.2 wrote the same lower-case strings). */
  @JsonCreator
  public static Compaction fromWire(String value) {
    return valueOf(value.trim().toUpperCase(Locale.ROOT));
  }
}
