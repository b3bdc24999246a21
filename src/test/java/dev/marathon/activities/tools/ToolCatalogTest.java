package dev.marathon.activities.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.activities.model.ChatRequest;
import dev.marathon.activities.model.Provider;
import dev.marathon.activities.store.Message;
import dev.marathon.workflows.api.ToolCall;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The catalog is the one list of tools: what the model is offered is exactly what the tool types declare. */
class ToolCatalogTest {
  final ToolCatalog catalog = new ToolCatalog();

  @Test
  void theToolsOfferedToTheModelAreExactlyWhatTheToolTypesDeclare() {
    JsonNode body = ChatRequest.body("m", List.of(Message.user("hi")), catalog.schemas(), Provider.GENERIC, 100);
    JsonNode offered = body.path("tools");
    List<Tool> tools = catalog.tools();
    assertEquals(tools.size(), offered.size());
    for (int i = 0; i < tools.size(); i++) {
      ToolSpec spec = tools.get(i).spec();
      JsonNode fn = offered.get(i).path("function");
      assertEquals("function", offered.get(i).path("type").asText());
      assertEquals(spec.name(), fn.path("name").asText());
      assertEquals(spec.description(), fn.path("description").asText());
      assertEquals(spec.parameters().json(), fn.path("parameters"));
    }
  }

  @Test
  void everyDeclaredSchemaIsAnObjectWhoseRequiredArgumentsAreProperties() {
    Set<String> names = new HashSet<>();
    for (Tool t : catalog.tools()) {
      ToolSpec spec = t.spec();
      assertTrue(names.add(spec.name()), "two tools named " + spec.name());
      assertTrue(spec.name().matches("[a-z_]+") && spec.description().length() > 20, spec.name());
      JsonNode schema = spec.parameters().json();
      assertEquals("object", schema.path("type").asText(), spec.name());
      for (JsonNode r : schema.path("required")) assertTrue(schema.path("properties").has(r.asText()), spec.name() + ": " + r);
      schema.path("properties").fields().forEachRemaining(p ->
          assertTrue(p.getValue().has("type"), spec.name() + "." + p.getKey() + " has no type"));
    }
    assertEquals(List.of("bash", "read_file", "write_file", "edit_file", "list_files", "grep", "update_plan", "finish"), catalog.names());
  }

  @Test
  void theWorkflowHandlesPlanAndFinishAndTheWorkspaceRunsTheRest() {
    for (Tool t : catalog.tools()) {
      boolean inWorkflow = Set.of("update_plan", "finish").contains(t.spec().name());
      assertEquals(inWorkflow, t.handledInWorkflow(), t.spec().name());
      assertEquals(!inWorkflow, catalog.workspaceTool(t.spec().name()).isPresent());
    }
    assertFalse(catalog.workspaceTool("bash").orElseThrow().spec().readOnly());
    assertTrue(catalog.workspaceTool("grep").orElseThrow().spec().readOnly());
  }

  @Test
  void aCallIsReadOnceIntoWhatTheWorkflowActsOn() {
    ToolCall.Workspace bash = (ToolCall.Workspace) read("bash", "{\"command\": \"mvn -q test\", \"timeout_seconds\": 90}");
    assertEquals("bash: mvn -q test", bash.display());
    assertNull(bash.path());
    assertEquals(90, bash.timeoutSeconds());
    assertEquals(Arguments.parse("bash", "{\"command\": \"mvn -q test\", \"timeout_seconds\": 90}").hash(), bash.argumentsHash());
    ToolCall.Workspace edit = (ToolCall.Workspace) read("edit_file", "{\"path\": \"src/A.java\", \"old_string\": \"a\", \"new_string\": \"b\"}");
    assertEquals("edit_file: src/A.java", edit.display());
    assertEquals("src/A.java", edit.path());
    assertEquals("grep: TODO in src", ((ToolCall.Workspace) read("grep", "{\"pattern\": \"TODO\", \"path\": \"src\"}")).display());
    assertEquals("list_files: . *.java", ((ToolCall.Workspace) read("list_files", "{\"pattern\": \"*.java\"}")).display());
    assertInstanceOf(ToolCall.UpdatePlan.class, read("update_plan", "{\"steps\": [{\"step\": \"a\", \"status\": \"pending\"}]}"));
    assertEquals("done", ((ToolCall.Finish) read("finish", "{\"summary\": \"done\"}")).summary());
  }

  @Test
  void unusableCallsAreRejectedWithAMessageForTheModel() {
    assertTrue(error("frob", "{}").contains("unknown tool 'frob'. Available tools: bash, read_file"));
    assertTrue(error("bash", "{command: ").contains("are not valid JSON"));
    assertTrue(error("bash", "[1]").contains("must be a JSON object"));
    assertTrue(error("bash", "{}").contains("missing required argument 'command'"));
    assertTrue(error("grep", "{\"pattern\": \"(\"}").contains("bad regular expression"));
    assertTrue(error("write_file", "{\"path\": \"a\", \"content\": \"" + "x".repeat(Arguments.MAX_BYTES) + "\"}").contains("larger than 1 MiB"));
  }

  @Test
  void onlyCallsThatWriteNameAFileWritten() {
    assertEquals("a.txt", catalog.pathWritten(new Message.Call("1", "write_file", "{\"path\": \"a.txt\", \"content\": \"\"}")));
    assertNull(catalog.pathWritten(new Message.Call("2", "read_file", "{\"path\": \"a.txt\"}")));
    assertNull(catalog.pathWritten(new Message.Call("3", "write_file", "{broken")));
  }

  private ToolCall read(String name, String arguments) {
    return catalog.read(new Message.Call("call_1", name, arguments));
  }

  private String error(String name, String arguments) {
    ToolCall c = read(name, arguments);
    return ((ToolCall.Rejected) c).error();
  }
}
