package dev.marathon.activities.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.activities.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tools offered to the model: their JSON schemas (from {@code marathon/tools.json}, the
 * contract) and the implementations of the ones that run in the workspace. {@code update_plan}
 * and {@code finish} have schemas but no implementation here: the workflow handles them.
 */
public final class ToolCatalog {
  public static final String UPDATE_PLAN = "update_plan";
  public static final String FINISH = "finish";

  private final JsonNode schemas;
  private final Map<String, Tool> tools = new LinkedHashMap<>();

  public ToolCatalog() {
    try (InputStream in = ToolCatalog.class.getResourceAsStream("/marathon/tools.json")) {
      if (in == null) throw new IllegalStateException("marathon/tools.json is missing from the classpath");
      schemas = Json.MAPPER.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Tool t : List.of(new BashTool(), new ReadFileTool(), new WriteFileTool(), new EditFileTool(), new ListFilesTool(), new GrepTool())) {
      tools.put(t.name(), t);
    }
  }

  /** The {@code tools} array of a chat request. */
  public JsonNode schemas() {
    return schemas;
  }

  public Optional<Tool> workspaceTool(String name) {
    return Optional.ofNullable(tools.get(name));
  }

  /** Every tool name the model may call, for error messages. */
  public List<String> names() {
    java.util.List<String> names = new java.util.ArrayList<>();
    for (JsonNode t : schemas) names.add(t.path("function").path("name").asText());
    return names;
  }
}
