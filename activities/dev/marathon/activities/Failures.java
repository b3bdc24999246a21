package dev.marathon.activities;

import dev.marathon.activities.model.ModelException;
import dev.marathon.activities.workspace.WorkspaceException;
import dev.marathon.workflows.api.ModelFailures;
import io.temporal.failure.ApplicationFailure;

/** Classifies failures once, at the activity boundary, into what Temporal should do with them. */
final class Failures {
  /** Must match the workflow's non-retryable workspace type. */
  static final String WORKSPACE_GONE = "WorkspaceGone";

  static ApplicationFailure workspace(WorkspaceException e) {
    return e.permanent()
        ? ApplicationFailure.newNonRetryableFailure(e.getMessage(), WORKSPACE_GONE)
        : ApplicationFailure.newFailure(e.getMessage(), "WorkspaceError");
  }

  static ApplicationFailure model(ModelException e, Secrets secrets) {
    String message = secrets.redact(e.getMessage());
    return switch (e.kind()) {
      case RETRYABLE -> ApplicationFailure.newBuilder()
          .setType(ModelFailures.UNAVAILABLE)
          .setMessage(message)
          .setNextRetryDelay(e.retryAfter())
          .build();
      case CONTEXT_OVERFLOW -> ApplicationFailure.newNonRetryableFailure(message, ModelFailures.CONTEXT_OVERFLOW);
      case AUTH -> ApplicationFailure.newNonRetryableFailure(message, ModelFailures.AUTH);
      case QUOTA -> ApplicationFailure.newNonRetryableFailure(message, ModelFailures.QUOTA);
      case BAD_REQUEST -> ApplicationFailure.newNonRetryableFailure(message, ModelFailures.BAD_REQUEST);
    };
  }

  private Failures() {}
}
