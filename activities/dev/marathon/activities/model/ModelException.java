package dev.marathon.activities.model;

import java.time.Duration;

/**
 * A model call that did not produce a reply, classified once: whether a retry can help, and how
 * long to wait. Messages name the endpoint and the env var of the key, never the key.
 */
public final class ModelException extends RuntimeException {

  public enum Kind {
    /** 408/409/429/5xx, connection errors: retry, after {@code retryAfter} if the server said. */
    RETRYABLE,
    /** The prompt does not fit: compact, do not retry as is. */
    CONTEXT_OVERFLOW,
    /** 401/403: the key is missing, wrong or not allowed. */
    AUTH,
    /** Quota or balance exhausted. */
    QUOTA,
    /** The request was refused (400, 404, 422, ...). */
    BAD_REQUEST
  }

  private final Kind kind;
  private final Duration retryAfter;
  private final long contextWindow;

  public ModelException(Kind kind, String message, Duration retryAfter) {
    this(kind, message, retryAfter, 0);
  }

  /** @param contextWindow for a context overflow, the window the server said it has (0: it did not say) */
  public ModelException(Kind kind, String message, Duration retryAfter, long contextWindow) {
    super(message);
    this.kind = kind;
    this.retryAfter = retryAfter;
    this.contextWindow = contextWindow;
  }

  /** The context window the server reported with an overflow, or 0. */
  public long contextWindow() {
    return contextWindow;
  }

  public Kind kind() {
    return kind;
  }

  /** How long the server asked us to wait, or null. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
