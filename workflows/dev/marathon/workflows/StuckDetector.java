package dev.marathon.workflows;

/**
 * Notices an agent repeating the same action without progress: the same tool calls with the same
 * arguments getting the same results, turn after turn. Arguments and results are compared by
 * their content hashes, so the check is exact and costs nothing.
 */
public final class StuckDetector {
  /** Identical turns in a row before the model is warned. */
  public static final int WARN_AFTER = 3;
  /** Identical turns in a row before the run is paused for an operator. */
  public static final int PAUSE_AFTER = 6;

  public enum Verdict {
    PROGRESS,
    WARN,
    PAUSE
  }

  public String lastSignature;
  public int repeats;

  /** Records one turn's signature and says what to do about it. */
  public Verdict observe(String signature) {
    if (signature.equals(lastSignature)) {
      repeats++;
    } else {
      lastSignature = signature;
      repeats = 1;
    }
    if (repeats >= PAUSE_AFTER) return Verdict.PAUSE;
    if (repeats == WARN_AFTER) return Verdict.WARN;
    return Verdict.PROGRESS;
  }

  /** Forgets the streak, e.g. after an operator unpaused a stuck run. */
  public void reset() {
    lastSignature = null;
    repeats = 0;
  }
}
