package dev.marathon.workflows.api;

/**
 * Where a sub-agent comes from: its branch starts from the coordinator's workspace at {@code
 * snapshot}, and its task is entry {@code index} of the {@code spawn_agents} call {@code callId} in
 * the coordinator's checkpoint {@code contextRef} (so the task is stored once, never in history).
 */
public record SpawnedFrom(WorkspaceKey coordinator, String snapshot, String contextRef, String callId, int index) {}
