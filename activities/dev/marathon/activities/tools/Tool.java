package dev.marathon.activities.tools;

import dev.marathon.workflows.api.ToolCall;

/**
 * One tool the model can call, as one type: its contract ({@link #spec}) and how a call is read
 * into what the workflow receives. Tools that run in the workspace implement {@link
 * WorkspaceTool}; the others ({@code update_plan}, {@code finish}, the swarm's coordinator tools)
 * are handled by the workflow itself. Adding a tool is one class and one line in {@link
 * ToolCatalog}.
 */
public interface Tool {

  ToolSpec spec();

  /**
   * Reads a call: validates the arguments and returns the small, typed call the workflow acts on.
   *
   * @throws ToolException when the arguments are unusable; the model reads the message
   */
  ToolCall call(String id, Arguments arguments);

  /** Whether the workflow handles calls itself rather than running them in the workspace. */
  default boolean handledInWorkflow() {
    return !(this instanceof WorkspaceTool);
  }
}
