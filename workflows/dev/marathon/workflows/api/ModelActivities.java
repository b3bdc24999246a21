package dev.marathon.workflows.api;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Everything that talks to the model. */
@ActivityInterface
public interface ModelActivities {

  /**
   * Appends the pending results and messages to the conversation, asks the model, checkpoints the
   * answer (with its reasoning) and returns refs and parsed tool calls.
   *
   * <p>Fails with type {@link ModelFailures#CONTEXT_OVERFLOW} when the provider says the prompt is
   * too long, and with the other {@link ModelFailures} types when a retry cannot help.
   */
  @ActivityMethod
  ThinkResult think(ThinkInput input);

  /**
   * Makes a shorter conversation from the one at {@code contextRef}: first masks old, bulky tool
   * results, then if still too large summarizes old turns with the model. Writes a new checkpoint;
   * never changes or deletes the old one.
   */
  @ActivityMethod
  CompactResult compact(CompactInput input);
}
