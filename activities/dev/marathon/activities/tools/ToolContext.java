package dev.marathon.activities.tools;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * What a tool may use: the workspace root (a real path), how long a command may run, and how a
 * command's environment is shaped.
 *
 * @param heartbeat called every second or so while a command runs; throws when the activity was
 *     cancelled or timed out, and the command is then killed
 * @param addedEnv variables every command gets (Marathon marks its processes so that a later
 *     attempt can find and kill the leftovers of a worker that died)
 * @param hiddenEnv variables a command must not see (the model's API key)
 */
public record ToolContext(
    Path root, int commandSeconds, Runnable heartbeat, Map<String, String> addedEnv, Set<String> hiddenEnv) {}
