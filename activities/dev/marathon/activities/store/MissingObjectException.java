package dev.marathon.activities.store;

/** A ref that names no object in the store (wrong store directory, or a store that was wiped). */
public final class MissingObjectException extends RuntimeException {
  public MissingObjectException(String ref) {
    super("checkpoint store has no object " + ref
        + " (is the worker using the same --store directory as the run's other workers?)");
  }

  public MissingObjectException(String ref, String store) {
    super("checkpoint store " + store + " has no object " + ref + " (do all of the run's workers and the CLI use the same store?)");
  }
}
