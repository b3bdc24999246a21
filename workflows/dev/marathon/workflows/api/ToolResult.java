package dev.marathon.workflows.api;

/**
 * The outcome of one tool call.
 *
 * @param workspaceRef the snapshot after the call (equal to the input ref when nothing changed)
 * @param observationRef the model-facing result text in the checkpoint store
 * @param observationChars its length (for forecasting the next prompt's size)
 * @param outputRef the full, untruncated output in the checkpoint store
 * @param ok false when the tool reported an error or a command exited non-zero
 * @param summary one short human line, e.g. {@code exit 1 · 212 lines}
 * @param containment what contained the call's command (see {@code Containment.describe}); null
 *     for calls that run no command
 */
public record ToolResult(
    String workspaceRef, String observationRef, int observationChars, String outputRef, boolean ok, String summary,
    String containment) {}
