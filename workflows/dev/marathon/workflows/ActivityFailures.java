package dev.marathon.workflows;

import io.temporal.failure.ApplicationFailure;

/** What the workflow reads from an activity's failure: its type, the window it reports, the message for an operator. */
final class ActivityFailures {

  /** The context window a context-overflow failure carries (the server said how large it is), or null. */
  static Long reportedWindow(Throwable f) {
    for (Throwable t = f; t != null; t = t.getCause()) {
      if (t instanceof ApplicationFailure a && a.getDetails().getSize() > 0) {
        try {
          return a.getDetails().get(Long.class);
        } catch (RuntimeException notAWindow) {
          return null;
        }
      }
    }
    return null;
  }

  static String failureType(Throwable f) {
    for (Throwable t = f; t != null; t = t.getCause()) {
      if (t instanceof ApplicationFailure a) return a.getType();
    }
    return null;
  }

  /** The innermost meaningful message of a failure chain, for an operator. */
  static String describe(Throwable f) {
    String message = f.getMessage();
    for (Throwable t = f; t != null; t = t.getCause()) {
      if (t instanceof ApplicationFailure a) return a.getOriginalMessage();
      if (t.getMessage() != null) message = t.getMessage();
    }
    return message;
  }

  private ActivityFailures() {}
}
