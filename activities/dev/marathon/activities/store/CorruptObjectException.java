package dev.marathon.activities.store;

import java.nio.file.Path;

/** An object whose bytes no longer hash to its ref: the disk damaged it. Never trusted. */
public final class CorruptObjectException extends RuntimeException {
  public CorruptObjectException(String ref, Path file) {
    this(ref, file.toString());
  }

  public CorruptObjectException(String ref, String where) {
    super("checkpoint store object " + ref + " is corrupt (" + where + " does not match its hash)");
  }
}
