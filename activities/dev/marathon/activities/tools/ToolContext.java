package dev.marathon.activities.tools;

import dev.marathon.activities.sandbox.CommandSandbox;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a tool may use: the workspace root (a real path), how long a command may run, and how a
 * command runs (its sandbox, its private home, what it may read wherever it is, its allow-listed
 * environment, whether it may use the network).
 *
 * @param heartbeat called every second or so while a command runs; throws when the activity was
 *     cancelled or timed out, and the command is then killed
 */
public record ToolContext(
    Path root, int commandSeconds, Runnable heartbeat, CommandSandbox sandbox, Path home, List<Path> readable,
    Map<String, String> env, boolean network) {}
