package dev.marathon.activities.workspace;

/**
 * What a snapshot commit records, and what the workspace is at right now: the working tree as a
 * tree of the snapshot repository, the commit the agent's HEAD was at (null when its repository is
 * unusable), and the branch HEAD was on ({@link AgentRepository#DETACHED} when none). Restoring a
 * snapshot puts all three back, which is what makes a retried step start where its first attempt
 * did.
 */
record Snapshot(String tree, String head, String headRef) {}
