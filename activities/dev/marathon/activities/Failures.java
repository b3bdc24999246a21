package dev.marathon.activities;

import dev.marathon.activities.model.ModelException;
import dev.marathon.activities.workspace.WorkspaceException;
import dev.marathon.workflows.api.ModelFailures;
import dev.marathon.workflows.api.WorkspaceFailures;
import io.temporal.failure.ApplicationFailure;

/** Classifies failures once, at the activity boundary, into what Temporal should do with them. */
final class Failures {
  static ApplicationFailure workspace(WorkspaceException e) {
    return e.permanent()
        ? ApplicationFailure.newNonRetryableFailure(e.getMessage(), WorkspaceFailures.GONE)
        : ApplicationFailure.newFailure(e.getMessage(), WorkspaceFailures.ERROR);
  }

  static ApplicationFailure sandbox(RuntimeException e) {
    return ApplicationFailure.newNonRetryableFailure(e.getMessage(), WorkspaceFailures.SANDBOX_UNAVAILABLE);
  }

  /** A damaged store object: retrying reads the same bad bytes, so the run pauses at once, naming the file. */
  static ApplicationFailure corrupt(RuntimeException e) {
    return ApplicationFailure.newNonRetryableFailure(e.getMessage(), WorkspaceFailures.STORE_CORRUPT);
  }

  static ApplicationFailure model(ModelException e, Secrets secrets) {
    String message = secrets.redact(e.getMessage());
    return switch (e.kind()) {
      case RETRYABLE -> ApplicationFailure.newBuilder()
          .setType(ModelFailures.UNAVAILABLE)
          .setMessage(message)
          .setNextRetryDelay(e.retryAfter())
          .build();
      case CONTEXT_OVERFLOW -> e.contextWindow() > 0
          ? ApplicationFailure.newNonRetryableFailure(message, ModelFailures.CONTEXT_OVERFLOW, e.contextWindow())
          : ApplicationFailure.newNonRetryableFailure(message, ModelFailures.CONTEXT_OVERFLOW);
      case AUTH -> ApplicationFailure.newNonRetryableFailure(message, ModelFailures.AUTH);
      case QUOTA -> ApplicationFailure.newNonRetryableFailure(message, ModelFailures.QUOTA);
      case BAD_REQUEST -> ApplicationFailure.newNonRetryableFailure(message, ModelFailures.BAD_REQUEST);
    };
  }

  private Failures() {}
}
