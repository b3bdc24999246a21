package dev.marathon.workflows;

/**
 * One thing the agent did, as a human line: {@code bash: mvn -q test → exit 1 · 40 lines}.
 *
 * @param seq the tool call's number in the run (1-based), so followers can tell what they missed
 * @param turn the model turn that made the call
 */
public record Action(int seq, int turn, String line) {}
