package dev.marathon.activities.store;

/** The store could not be reached or refused the operation: retried like any transient failure. */
public final class StoreUnavailableException extends RuntimeException {
  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
