package dev.marathon.workflows.api;

/**
 * Failure types the model activity raises when retrying cannot help. The workflow reacts to each:
 * overflow leads to compaction, the others pause the run with the reason for an operator.
 */
public final class ModelFailures {
  /** The prompt does not fit the model's context window. */
  public static final String CONTEXT_OVERFLOW = "ContextOverflow";
  /** The endpoint refused the key (401/403). */
  public static final String AUTH = "ModelAuth";
  /** Quota or balance exhausted: a 429 that waiting will not fix. */
  public static final String QUOTA = "ModelQuota";
  /** The request itself was refused (400, 404, 422): a setting or a bug to fix. */
  public static final String BAD_REQUEST = "ModelBadRequest";
  /** A transient error (429, 5xx, connection): retried; when retries run out the run pauses. */
  public static final String UNAVAILABLE = "ModelUnavailable";

  private ModelFailures() {}
}
