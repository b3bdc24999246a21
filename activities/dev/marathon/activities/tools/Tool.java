package dev.marathon.activities.tools;

import com.fasterxml.jackson.databind.JsonNode;

/** One tool the model can call in the workspace. Names and arguments are a contract. */
public interface Tool {
  String name();

  /** True when the tool cannot change the workspace, so no snapshot is needed after it. */
  boolean readOnly();

  ToolOutput run(JsonNode arguments, ToolContext context);
}
