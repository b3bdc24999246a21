package dev.marathon.activities.store;

/** A ref that names no object in the store (wrong store directory, or a store that was wiped). */
public final class MissingObjectException extends RuntimeException {
  public MissingObjectException(String ref) {
    super("checkpoint store has no object " + ref
        + " (is the worker using the same --store directory as the run's other workers?)");
  }
}
