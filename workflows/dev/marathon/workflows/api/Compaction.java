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

  /**
   * Reads the wire name. Before commit cc3df7c of 2026-11-30 a compaction's method was a plain
   * string, the same lower-case words (the recorded compaction history holds them).
   */
  @JsonCreator
  public static Compaction fromWire(String value) {
    return valueOf(value.trim().toUpperCase(Locale.ROOT));
  }
}
