package dev.marathon.activities.tools;

import dev.marathon.activities.sandbox.CommandLimits;
import dev.marathon.activities.sandbox.CommandSandbox;
import dev.marathon.activities.sandbox.Network;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a tool may use: the workspace root (a real path), how long a command may run, how a
 * command runs (its sandbox, its private home, what it may read wherever it is, its allow-listed
 * environment, its network, its process and memory limits), and how the work tree's files are
 * listed.
 *
 * <p>This is all a tool knows of the run's workspace: nothing of {@code activities.workspace}
 * reaches the tools (a test guards it), so how a workspace is made, kept and published (a local
 * clone today; a git URL with snapshots in shared storage later) can change without a tool
 * changing.
 *
 * @param heartbeat called every second or so while a command runs; throws when the activity was
 *     cancelled or timed out, and the command is then killed
 */
public record ToolContext(
    Path root, int commandSeconds, Runnable heartbeat, CommandSandbox sandbox, Path home, List<Path> readable,
    Map<String, String> env, Network network, CommandLimits limits, WorkTreeFiles files) {}
