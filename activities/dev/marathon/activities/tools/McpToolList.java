package dev.marathon.activities.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.marathon.activities.Json;
import dev.marathon.workflows.McpServer;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The MCP tools a run was offered, recorded once when it began and stored (content-addressed): the
 * servers as the run's input named them, each tool with its schema, and the servers that did not
 * answer. The model activity offers exactly these and the tool activity calls them, whatever the
 * servers list later.
 */
public record McpToolList(Map<String, McpServer> servers, List<Entry> tools, List<String> problems) {
  /** Longest tool name the OpenAI-compatible APIs take. */
  static final int MAX_NAME = 64;
  /** A schema this long would cost every turn more than a tool is worth. */
  static final int MAX_SCHEMA_CHARS = 16_000;

  /** @param name as the model calls it, {@code mcp__<server>__<tool>} */
  public record Entry(String name, String server, String tool, String description, ObjectNode inputSchema) {}

  public McpToolList {
    servers = new TreeMap<>(servers);
    tools = List.copyOf(tools);
    problems = List.copyOf(problems);
  }

  /**
   * Lists every server's tools in the run's sandbox ({@code context}); a server that does not start
   * or answer is a problem, not a failure.
   */
  public static McpToolList list(Map<String, McpServer> servers, ToolContext context) {
    List<Entry> tools = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, McpServer> s : new TreeMap<>(servers).entrySet()) {
      try (McpSession session = McpSession.open(s.getKey(), s.getValue(), context, java.time.Duration.ofSeconds(60))) {
        for (McpSchema.Tool t : session.tools()) {
          String name = "mcp__" + s.getKey() + "__" + t.name().replaceAll("[^A-Za-z0-9_-]", "_");
          if (tools.stream().anyMatch(e -> e.name().equals(name))) {
            problems.add("MCP server '" + s.getKey() + "': tool " + t.name() + " left out (another tool is also named " + name + ")");
            continue;
          }
          if (name.length() > MAX_NAME) {
            problems.add("MCP server '" + s.getKey() + "': tool " + t.name() + " left out (its name is over " + MAX_NAME + " characters as " + name + ")");
            continue;
          }
          ObjectNode schema = t.inputSchema() == null ? Json.MAPPER.createObjectNode().put("type", "object")
              : Json.MAPPER.valueToTree(t.inputSchema());
          if (!schema.has("type")) schema.put("type", "object");
          if (!schema.path("properties").isObject()) schema.putObject("properties"); // some providers require it
          if (schema.toString().length() > MAX_SCHEMA_CHARS) {
            problems.add("MCP server '" + s.getKey() + "': tool " + t.name() + " left out (its schema is over " + MAX_SCHEMA_CHARS + " characters)");
            continue;
          }
          schema.remove("$schema"); // some OpenAI-compatible servers refuse a draft URL in a function's parameters
          tools.add(new Entry(name, s.getKey(), t.name(), t.description(), schema));
        }
      } catch (ToolException e) {
        problems.add(e.getMessage());
      } catch (RuntimeException e) {
        if (McpSession.stopped(e)) throw e; // the attempt is over: its retry lists again
        problems.add("MCP server '" + s.getKey() + "' could not list its tools: " + McpSession.reason(e));
      }
    }
    return new McpToolList(servers, tools, problems);
  }

  /** Recorded lists' tools by ref: a ref names its content (a hash), so an entry is never stale. */
  private static final Map<String, List<Tool>> RECORDED = java.util.Collections.synchronizedMap(
      new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, List<Tool>> eldest) {
          return size() > 64;
        }
      });

  /** The tools of the list stored at {@code ref}, read and parsed once per worker (every turn and call of a run asks). */
  public static List<Tool> recorded(dev.marathon.activities.store.CheckpointStore store, String ref) {
    return RECORDED.computeIfAbsent(ref, r -> parse(store.getText(r)).asTools());
  }

  public static McpToolList parse(String json) {
    try {
      return Json.MAPPER.readValue(json, McpToolList.class);
    } catch (IOException e) {
      throw new UncheckedIOException("not a stored MCP tool list: " + e.getMessage(), e);
    }
  }

  public String json() {
    try {
      return Json.MAPPER.writeValueAsString(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The tools, to go in the run's catalog. */
  public List<Tool> asTools() {
    List<Tool> out = new ArrayList<>();
    for (Entry e : tools) out.add(new McpTool(e.name(), e.server(), servers.get(e.server()), e.tool(), e.description(), e.inputSchema()));
    return out;
  }

  public List<String> names() {
    return tools.stream().map(Entry::name).toList();
  }

}
