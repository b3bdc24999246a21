package dev.marathon.activities.tools;

import dev.marathon.workflows.Text;
import dev.marathon.workflows.api.ToolCall;

/**
 * A tool that runs in the run's workspace. Its arguments are read in one place, {@link #parse},
 * into a typed value {@code A} that everything else (the Web UI line, the path it touches, the
 * execution) works from.
 *
 * @param <A> the tool's parsed arguments
 */
public interface WorkspaceTool<A> extends Tool {

  /** Parsed arguments that name the one workspace path the call reads or writes. */
  interface OnePath {
    String path();
  }

  /** Parses and validates the arguments; throws {@link ToolException} with what is wrong. */
  A parse(Arguments arguments);

  /**
   * What the call does, for a human: {@code mvn -q test} (shown as {@code bash: mvn -q test}); by
   * default the path it touches.
   */
  default String describe(A arguments) {
    String path = path(arguments);
    return path == null ? "" : path;
  }

  /** The workspace path the call reads or writes, or null when it cannot be told (bash). */
  default String path(A arguments) {
    return arguments instanceof OnePath p ? p.path() : null;
  }

  /** Whether the tool runs the agent's commands (they need the run's sandbox); file tools do not. */
  default boolean runsCommands() {
    return false;
  }

  /** The command timeout the model asked for, 0 when it did not (only bash asks). */
  default int timeoutSeconds(A arguments) {
    return 0;
  }

  ToolOutput run(A arguments, ToolContext context);

  @Override
  default ToolCall call(String id, Arguments arguments) {
    A a = parse(arguments);
    return new ToolCall.Workspace(id, spec().name(), arguments.hash(),
        Text.oneLine(spec().name() + ": " + describe(a), 180), path(a), Math.max(0, timeoutSeconds(a)));
  }

  /** Parses and runs: what the tool activity does with a call's stored arguments. */
  default ToolOutput execute(Arguments arguments, ToolContext context) {
    return run(parse(arguments), context);
  }
}
