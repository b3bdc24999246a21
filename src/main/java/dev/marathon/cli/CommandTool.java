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

/**
 * One of Marathon's tools over MCP, standing for one {@code ./marathon} command line. A call is
 * that command run in this process, with the same checks, messages and exit codes as typed by
 * hand; so the MCP server and the CLI cannot drift apart.
 *
 * <p>The client is a model (it may have read a prompt injection), so its arguments are hostile:
 * each becomes {@code --option=value} or a positional after {@code --}, never text a parser could
 * take for another option, and an argument the tool does not declare is refused.
 */
record CommandTool(String name, String description, List<String> command, Schema input, List<String> positionals,
    boolean containedRunsOnly) {
  /** Output beyond this is cut, with a note saying how to ask for less (about 10k tokens: what MCP clients take whole). */
  static final int MAX_OUTPUT_CHARS = 40_000;

  /**
   * A tool whose every argument but {@code positionals} is the option of the same name ({@code
   * max_turns} is {@code --max-turns}; a boolean is a flag), after the words of {@code command}.
   */
  CommandTool(String name, String description, List<String> command, Schema input, String... positionals) {
    this(name, description, command, input, List.of(positionals), false);
  }

  /** This tool, refused for runs whose containment was loosened ({@link #refusal}). */
  CommandTool onlyForContainedRuns() {
    return new CommandTool(name, description, command, input, positionals, true);
  }

  /** The command line a call stands for: the command, its options, then {@code --} and the positionals. */
  List<String> argv(Args a) {
    List<String> line = new ArrayList<>(command.subList(0, 1));
    for (var names = input.json().path("properties").fieldNames(); names.hasNext(); ) {
      String argument = names.next();
      if (positionals.contains(argument)) continue;
      String value = a.text(argument);
      if (value == null || value.equals("false") && a.isFlag(argument)) continue;
      line.add(a.isFlag(argument) ? option(argument) : option(argument) + "=" + value);
    }
    line.addAll(command.subList(1, command.size()));
    if (!positionals.isEmpty()) {
      line.add("--"); // whatever they say, positionals are not options
      for (String p : positionals) line.add(a.text(p));
    }
    return line;
  }

  private static String option(String argument) {
    return "--" + argument.replace('_', '-');
  }

  /** What a call printed, and whether the command failed. */
  record Outcome(String text, boolean failed) {}

  /** Runs the call's command line (after {@code connection}, the server's own options) and returns its output. */
  Outcome call(Map<String, Object> arguments, List<String> connection) {
    List<String> argv;
    try {
      argv = argv(new Args(name, input.json(), Json.MAPPER.valueToTree(arguments == null ? Map.of() : arguments)));
    } catch (BadInputException e) {
      return new Outcome("error: " + e.getMessage(), true);
    }
    if (containedRunsOnly) {
      String id = argv.get(argv.indexOf("--") + 1); // the run id: the first positional
      Outcome status = run(List.of("status", "--json", "--", id), connection);
      if (status.failed()) return status;
      String refusal = refusal(status.text());
      if (refusal != null) return new Outcome("error: " + name + " refused for run " + id + ": " + refusal, true);
    }
    Outcome outcome = run(argv, connection);
    return outcome.failed() ? new Outcome(inTheToolsWords(outcome.text()), true) : outcome;
  }

  /**
   * A command's error as this tool's caller knows it: {@code --max-turns} is {@code 'max_turns'},
   * and the CLI's "--help shows the options" hint is dropped (the tool's schema is the help).
   */
  String inTheToolsWords(String error) {
    String said = error.replaceAll("(?m)^\\(\\./marathon .*--help.*\\)$\\n?", "").strip();
    for (var names = input.json().path("properties").fieldNames(); names.hasNext(); ) {
      String argument = names.next();
      said = said.replaceAll(option(argument) + "\\b(?!-)", "'" + argument + "'");
    }
    return said;
  }

  /**
   * Why a run may not be steered or unpaused from here (its status JSON says how it is contained),
   * or null when it has the default containment.
   */
  static String refusal(String statusJson) {
    JsonNode c;
    try {
      c = Json.MAPPER.readTree(statusJson.lines().findFirst().orElse("{}")).path("containment");
    } catch (java.io.IOException e) {
      c = com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
    if (c.isMissingNode()) return "its containment is not known yet; try again in a moment";
    String loosened = !c.path("sandbox").asBoolean(true) ? "--sandbox off" : c.path("networkOpen").asBoolean(false) ? "--network open"
        : c.path("passEnv").size() > 0 ? "--pass-env" : null;
    return loosened == null ? null : "it runs with " + loosened + ", so what its agent is told runs outside the sandbox's limits;"
        + " only its user, at the CLI, may do that";
  }

  private static Outcome run(List<String> argv, List<String> connection) {
    List<String> all = new ArrayList<>(argv.subList(0, 1));
    all.addAll(connection);
    all.addAll(argv.subList(1, argv.size()));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cli = parser(all.get(0));
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(all.toArray(String[]::new));
    String said = out.toString().strip();
    String notes = err.toString().strip();
    String text = exit == ExitCodes.OK ? (notes.isEmpty() ? said : said + "\n\n" + notes) : (notes + (said.isEmpty() ? "" : "\n\n" + said));
    return new Outcome(capped(text.isEmpty() ? "(no output)" : text), exit != ExitCodes.OK);
  }

  /** Marathon's command line, parsing as a client's arguments need: no {@code @file}, option-like values kept as values. */
  static picocli.CommandLine parser(String command) {
    var cli = Main.commandLine(command);
    cli.setExpandAtFiles(false); // "@/home/me/.ssh/id_ed25519" as a steer message is text, not a file to read
    cli.setAllowOptionsAsOptionParameters(true); // --task=--detach is a task, not a refusal
    return cli;
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
        case "integer" -> v.isNumber() && v.canConvertToExactIntegral() && v.canConvertToLong();
        case "number" -> v.isNumber();
        case "boolean" -> v.isBoolean();
        default -> false;
      };
      if (!fits) throw new BadInputException(tool + ": '" + name + "' must be " + (type.equals("integer") ? "an integer" : "a " + type));
      return type.equals("integer") ? Long.toString(v.asLong()) : v.asText();
    }

    boolean isFlag(String name) {
      return properties.path(name).path("type").asText().equals("boolean");
    }
  }
}
