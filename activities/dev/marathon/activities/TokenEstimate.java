package dev.marathon.activities;

import dev.marathon.activities.store.Message;
import java.util.List;

/**
 * A rough token count (about four characters a token) for when the provider reports none, and
 * for planning compaction before a call is made.
 */
public final class TokenEstimate {
  public static long of(List<Message> messages) {
    long chars = 0;
    for (Message m : messages) chars += m.chars();
    return chars / 4 + 1;
  }

  private TokenEstimate() {}
}
