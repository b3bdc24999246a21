package dev.marathon.activities.store;

/**
 * What a turn's checkpoint segment records about the turn, beyond its messages: which turn it is,
 * where the workspace was when its prompt was made (right after the previous turn's tools), and
 * what the model call cost and took. It makes the store a complete, ordered record of the run, so
 * a run can be read ({@code log}, {@code export}), compared ({@code diff}) and forked at any turn.
 */
public record TurnMeta(int turn, String workspaceRef, long promptTokens, long completionTokens, long cachedTokens,
    double costUsd, long startedAtMillis, long modelMillis) {}
