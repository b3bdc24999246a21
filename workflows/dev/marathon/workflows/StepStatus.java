package dev.marathon.workflows;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Status of one plan step, spelled on the wire exactly as the {@code update_plan} tool defines it. */
public enum StepStatus {
  PENDING,
  IN_PROGRESS,
  COMPLETED;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a wire name; returns null for anything else so callers can report the bad value. */
  @JsonCreator
  public static StepStatus fromWire(String value) {
    if (value == null) return null;
    for (StepStatus s : values()) {
      if (s.wireName().equals(value.trim().toLowerCase(Locale.ROOT))) return s;
    }
    return null;
  }
}
