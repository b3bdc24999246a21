package dev.marathon.activities.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.marathon.activities.Json;
import dev.marathon.activities.model.ChatRequest;
import dev.marathon.activities.model.Provider;
import dev.marathon.activities.store.Message;
import dev.marathon.workflows.api.ToolCall;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The catalog is the one list of tools: what the model is offered is exactly what the tool types declare. */
class ToolCatalogTest {
  final ToolCatalog catalog = new ToolCatalog();

  @Test
  void theToolsAreOfferedInTheOpenAiFunctionFormat() {
    JsonNode offered = ChatRequest.body("m", List.of(Message.user("hi")), catalog.schemas(), Provider.GENERIC, 100).path("tools");
    assertEquals(catalog.names().size(), offered.size());
    for (int i = 0; i < offered.size(); i++) {
      JsonNode tool = offered.get(i);
      assertEquals(List.of("type", "function"), fieldNames(tool), tool.toString());
      assertEquals("function", tool.path("type").asText());
      assertEquals(List.of("name", "description", "parameters"), fieldNames(tool.path("function")), tool.toString());
      assertEquals(catalog.names().get(i), tool.path("function").path("name").asText());
      assertEquals("object", tool.path("function").path("parameters").path("type").asText(), tool.toString());
    }
  }

  /**
   * What the model is offered is what the tools read: a call with just the required arguments is
   * accepted, one without any of them is refused naming it, and every declared argument is read
   * with its declared type (a value of another type is refused naming it). A schema and a parser
   * that drift apart fail here.
   */
  @Test
  void everyArgumentOfferedIsReadWithItsDeclaredTypeAndTheRequiredOnesAreRequired() {
    ToolCatalog all = catalog.withSwarmTools();
    for (Tool t : all.tools()) {
      String name = t.spec().name();
      JsonNode schema = t.spec().parameters().json();
      ObjectNode minimal = (ObjectNode) sample(name, schema, true);
      ObjectNode full = (ObjectNode) sample(name, schema, false);
      assertAccepted(all, name, minimal);
      assertAccepted(all, name, full);
      for (JsonNode r : schema.path("required")) {
        ObjectNode without = minimal.deepCopy();
        without.remove(r.asText());
        assertRefused(all, name, without, r.asText());
      }
      schema.path("properties").fields().forEachRemaining(p -> {
        ObjectNode wrong = full.deepCopy();
        wrong.set(p.getKey(), otherType(p.getValue()));
        assertRefused(all, name, wrong, p.getKey());
        JsonNode items = p.getValue().path("items");
        for (JsonNode r : items.path("required")) { // an array of objects: each item's required fields too
          ObjectNode itemWithout = full.deepCopy();
          ((ObjectNode) itemWithout.get(p.getKey()).get(0)).remove(r.asText());
          assertRefused(all, name, itemWithout, r.asText());
        }
      });
    }
  }

  /** A value the schema accepts: with only the required properties, or with every one (a string is its own name). */
  private static JsonNode sample(String name, JsonNode schema, boolean requiredOnly) {
    switch (schema.path("type").asText()) {
      case "string":
        return TextNode.valueOf(schema.has("enum") ? schema.path("enum").get(0).asText() : name);
      case "integer":
        return IntNode.valueOf(1);
      case "boolean":
        return BooleanNode.TRUE;
      case "array":
        return Json.MAPPER.createArrayNode().add(sample(name, schema.path("items"), requiredOnly));
      case "object":
        ObjectNode o = Json.MAPPER.createObjectNode();
        Set<String> required = new HashSet<>();
        schema.path("required").forEach(r -> required.add(r.asText()));
        schema.path("properties").fields().forEachRemaining(p -> {
          if (!requiredOnly || required.contains(p.getKey())) o.set(p.getKey(), sample(p.getKey(), p.getValue(), requiredOnly));
        });
        return o;
      default:
        throw new AssertionError("a schema type no tool reads: " + schema);
    }
  }

  /** A value of another type than the schema's. */
  private static JsonNode otherType(JsonNode schema) {
    return "string".equals(schema.path("type").asText()) ? IntNode.valueOf(5) : TextNode.valueOf("five");
  }

  private void assertAccepted(ToolCatalog all, String tool, ObjectNode arguments) {
    ToolCall c = all.read(new Message.Call("call_1", tool, arguments.toString()));
    assertFalse(c instanceof ToolCall.Rejected, tool + " " + arguments + ": " + c);
  }

  private void assertRefused(ToolCatalog all, String tool, ObjectNode arguments, String naming) {
    ToolCall c = all.read(new Message.Call("call_1", tool, arguments.toString()));
    assertInstanceOf(ToolCall.Rejected.class, c, tool + " accepted " + arguments);
    assertTrue(((ToolCall.Rejected) c).error().contains(naming), tool + " " + arguments + ": " + ((ToolCall.Rejected) c).error());
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
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
