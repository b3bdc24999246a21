package dev.marathon.workflows.api;

/**
 * The outcome of one tool call.
 *
 * <p>Results recorded until 2026-12-03 also carry an {@code ok} flag (every recorded history does);
 * nothing read it (the summary says how the call went), and Marathon's converters ignore unknown
 * fields, so those results still read.
 *
 * @param workspaceRef the snapshot after the call (equal to the input ref when nothing changed)
 * @param observationRef the model-facing result text in the checkpoint store
 * @param observationChars its length (for forecasting the next prompt's size)
 * @param outputRef the full, untruncated output in the checkpoint store (equal to {@code
 *     observationRef} unless a command's output was cut for the model). No code reads it: it is
 *     the one pointer to the whole output, for whoever reads the step in the Web UI or the
 *     history; without it the store would keep the whole output where nothing leads to it.
 * @param summary one short human line, e.g. {@code exit 1 · 212 lines}
 * @param containment what contained the call's command (see {@code Containment.describe}); null
 *     for calls that run no command
 */
public record ToolResult(
    String workspaceRef, String observationRef, int observationChars, String outputRef, String summary, String containment) {}
