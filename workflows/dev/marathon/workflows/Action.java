package dev.marathon.workflows;

/**
 * One thing the agent did, as a human line: {@code bash: mvn -q test → exit 1 · 40 lines}, or
 * {@code reply: …} for a turn without a tool call.
 *
 * @param seq the action's number in the run (1-based), so followers can tell what they missed
 * @param turn the model turn that made the call
 */
public record Action(int seq, int turn, String line) {}
