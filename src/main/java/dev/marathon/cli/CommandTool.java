package dev.marathon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.marathon.activities.Json;
import dev.marathon.activities.tools.Schema;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One of Marathon's tools over MCP, standing for one {@code ./marathon} command line. A call is
 * that command run in this process, with the same checks, messages and exit codes as typed by
 * hand; so the MCP server and the CLI cannot drift apart.
 *
 * <p>The client is a model (it may have read a prompt injection), so its arguments are hostile:
 * each becomes {@code --option=value} or a positional after {@code --}, never text a parser could
 * take for another option, and an argument the tool does not declare is refused.
 */
record CommandTool(String name, String description, Schema input, Function<CommandTool.Args, List<String>> commandLine) {
  /** Output beyond this is cut, with a note saying how to ask for less. */
  static final int MAX_OUTPUT_CHARS = 100_000;

  /** What a call printed, and whether the command failed. */
  record Outcome(String text, boolean failed) {}

  /** Runs the call's command line (after {@code connection}, the server's own options) and returns its output. */
  Outcome call(Map<String, Object> arguments, List<String> connection) {
    List<String> argv;
    try {
      argv = commandLine.apply(new Args(name, input.json(), Json.MAPPER.valueToTree(arguments == null ? Map.of() : arguments)));
    } catch (BadInputException e) {
      return new Outcome("error: " + e.getMessage(), true);
    }
    List<String> all = new ArrayList<>(argv.subList(0, 1));
    all.addAll(connection);
    all.addAll(argv.subList(1, argv.size()));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cli = Main.commandLine();
    cli.setExpandAtFiles(false); // "@/home/me/.ssh/id_ed25519" as a steer message is text, not a file to read
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(all.toArray(String[]::new));
    String said = out.toString().strip();
    String notes = err.toString().strip();
    String text = exit == ExitCodes.OK ? (notes.isEmpty() ? said : said + "\n\n" + notes) : (notes + (said.isEmpty() ? "" : "\n\n" + said));
    return new Outcome(capped(text.isEmpty() ? "(no output)" : text), exit != ExitCodes.OK);
  }

  static String capped(String text) {
    if (text.length() <= MAX_OUTPUT_CHARS) return text;
    return text.substring(0, MAX_OUTPUT_CHARS) + "\n[cut: " + text.length() + " characters in all; ask for less (fewer turns, one turn's diff)]";
  }

  /** A call's arguments, checked against the tool's schema as they are read. */
  static final class Args {
    private final String tool;
    private final ObjectNode properties;
    private final JsonNode values;

    Args(String tool, ObjectNode schema, JsonNode values) {
      this.tool = tool;
      this.properties = (ObjectNode) schema.path("properties");
      this.values = values;
      if (!values.isObject()) throw new BadInputException(tool + ": the arguments are not a JSON object");
      for (Iterator<String> names = values.fieldNames(); names.hasNext(); ) {
        String n = names.next();
        if (!properties.has(n)) {
          List<String> known = new ArrayList<>();
          properties.fieldNames().forEachRemaining(known::add);
          throw new BadInputException(tool + ": unknown argument '" + n + "' (it takes: " + String.join(", ", known) + ")");
        }
      }
      for (JsonNode r : schema.path("required")) {
        if (!values.hasNonNull(r.asText())) throw new BadInputException(tool + ": '" + r.asText() + "' is required");
      }
    }

    /** The argument as text, checked against its declared type; null when absent. */
    String text(String name) {
      JsonNode v = values.get(name);
      if (v == null || v.isNull()) return null;
      String type = properties.path(name).path("type").asText();
      boolean fits = switch (type) {
        case "string" -> v.isTextual();
        case "integer" -> v.isIntegralNumber() || (v.isNumber() && v.asDouble() == Math.rint(v.asDouble()));
        case "number" -> v.isNumber();
        case "boolean" -> v.isBoolean();
        default -> false;
      };
      if (!fits) throw new BadInputException(tool + ": '" + name + "' must be " + (type.equals("integer") ? "an integer" : "a " + type));
      return type.equals("integer") ? Long.toString(v.asLong()) : v.asText();
    }

    /** {@code --option=value} for {@code name} when given, into {@code line}. */
    Args option(List<String> line, String name, String option) {
      String v = text(name);
      if (v != null) line.add(option + "=" + v);
      return this;
    }

    /** {@code flag} when the boolean {@code name} is true. */
    Args flag(List<String> line, String name, String flag) {
      if ("true".equals(text(name))) line.add(flag);
      return this;
    }
  }
}
