package dev.marathon.cli;

/** What {@code ./marathon} exits with; scripts rely on these. */
final class ExitCodes {
  /** The run finished (the agent called finish), or the command did what was asked. */
  static final int OK = 0;
  /** The run failed, or the command could not do what was asked. */
  static final int FAILED = 1;
  /** Bad input: a missing repository, an unknown option, an unusable id. */
  static final int BAD_INPUT = 2;
  /** The run ended (or is paused) without finishing: a budget, a cancel, an operator's stop. */
  static final int NOT_FINISHED = 3;

  private ExitCodes() {}
}
