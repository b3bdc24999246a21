package dev.marathon.workflows;

import dev.marathon.workflows.api.Observation;
import java.util.ArrayList;
import java.util.List;

/**
 * The run's conversation as the workflow holds it, a part of {@link RunState}: a ref to the
 * checkpoint the next turn continues, and what the model is given with that turn. The messages
 * themselves are in the checkpoint store.
 */
public final class Conversation {
  /** Content hash of the conversation checkpoint the next turn continues. */
  public String contextRef;
  /** Tool results the model has not seen yet (delivered with the next turn). */
  public List<Observation> observations = new ArrayList<>();
  /** Operator messages the model has not seen yet (delivered with the next turn). */
  public List<String> steering = new ArrayList<>();
  /** Runtime notices for the model at the next turn: wrap-up requests, warnings, nudges. */
  public List<String> notices = new ArrayList<>();
  /** Number of times the conversation was compacted. */
  public int compactions;
  /** The context window the model's server says it gives, when smaller than the configured one; else null. */
  public Long contextWindow;
}
