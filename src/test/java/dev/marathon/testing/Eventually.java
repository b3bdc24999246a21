package dev.marathon.testing;

import java.time.Duration;
import java.util.function.Supplier;

/** Polls until something becomes true (non-null); fails with what it waited for. */
public final class Eventually {

  public static <T> T get(Supplier<T> probe) {
    return get(probe, Duration.ofSeconds(60), "condition");
  }

  public static <T> T get(Supplier<T> probe, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        T v = probe.get();
        if (v != null && !Boolean.FALSE.equals(v)) return v;
      } catch (RuntimeException e) {
        last = e;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("timed out after " + timeout + " waiting for " + what, last);
  }

  private Eventually() {}
}
