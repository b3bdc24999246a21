package dev.marathon.activities.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.marathon.activities.Json;
import dev.marathon.workflows.McpServer;
import dev.marathon.workflows.Text;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;

/**
 * A tool of one of the user's MCP servers, offered to the model as {@code mcp__<server>__<tool>}
 * with the schema the server published when the run began. A call is a workspace step like bash:
 * the server is started in the run's sandbox for it (by whichever worker runs the step, again after
 * a crash), what it changes in the workspace is in the step's snapshot, and its result is stored
 * once. A server that is down, or a tool it no longer has, is an error the model reads.
 */
public final class McpTool implements WorkspaceTool<McpTool.Call> {
  /** What the model sees of a result; the whole of it is stored. */
  static final int MAX_RESULT_CHARS = 1024 * 1024;

  private final String name;
  private final String serverName;
  private final McpServer server;
  private final String tool;
  private final String description;
  private final ObjectNode inputSchema;

  public McpTool(String name, String serverName, McpServer server, String tool, String description, ObjectNode inputSchema) {
    this.name = name;
    this.serverName = serverName;
    this.server = server;
    this.tool = tool;
    this.description = description;
    this.inputSchema = inputSchema;
  }

  /** The arguments as the model wrote them: the server checks them against its own schema. */
  public record Call(JsonNode arguments) {}

  @Override
  public ToolSpec spec() {
    return new ToolSpec(name, (description == null || description.isBlank() ? tool : description) + " (MCP server " + serverName + ")",
        Schema.given(inputSchema), false);
  }

  @Override
  public Call parse(Arguments arguments) {
    if (!arguments.node().isObject()) throw new ToolException(name + ": the arguments must be a JSON object");
    return new Call(arguments.node());
  }

  @Override
  public String describe(Call call) {
    return call.arguments().toString();
  }

  @Override
  public boolean runsCommands() {
    return true;
  }

  @Override
  public ToolOutput run(Call call, ToolContext context) {
    McpSchema.CallToolResult result;
    try (McpSession session = McpSession.open(serverName, server, context, Duration.ofSeconds(context.commandSeconds()))) {
      result = session.call(tool, call.arguments());
    } catch (ToolException e) {
      throw e;
    } catch (RuntimeException e) {
      if (McpSession.stopped(e)) throw e; // Temporal stopped the step: not the server's failure
      throw new ToolException("MCP server '" + serverName + "' failed on " + tool + ": " + McpSession.reason(e));
    }
    String text = text(result);
    boolean failed = Boolean.TRUE.equals(result.isError());
    String shown = BoundedText.forModel(text);
    String summary = (failed ? "error: " : "") + Text.oneLine(text.isBlank() ? "(no output)" : text, 120);
    return new ToolOutput(!failed, failed ? "Error: " + shown : shown, shown.equals(text) ? null : text, summary);
  }

  /** A result's content as text: text as it is, anything else (an image, a resource) by what it is. */
  static String text(McpSchema.CallToolResult result) {
    StringBuilder out = new StringBuilder();
    for (McpSchema.Content c : result.content() == null ? java.util.List.<McpSchema.Content>of() : result.content()) {
      if (out.length() > 0) out.append('\n');
      if (c instanceof McpSchema.TextContent t) out.append(t.text(), 0, Math.min(t.text().length(), MAX_RESULT_CHARS + 1 - out.length()));
      else if (c instanceof McpSchema.ImageContent i) out.append("[image ").append(i.mimeType()).append(", ").append(i.data().length()).append(" base64 characters]");
      else out.append(Json.MAPPER.valueToTree(c).toString());
      if (out.length() > MAX_RESULT_CHARS) break;
    }
    if (out.length() == 0 && result.structuredContent() != null) out.append(Json.MAPPER.valueToTree(result.structuredContent()).toString());
    return out.length() > MAX_RESULT_CHARS ? out.substring(0, MAX_RESULT_CHARS) + "\n[cut at " + MAX_RESULT_CHARS + " characters]" : out.toString();
  }
}
