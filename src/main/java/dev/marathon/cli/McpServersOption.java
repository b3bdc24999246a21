package dev.marathon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.activities.Json;
import dev.marathon.activities.sandbox.CommandEnvironment;
import dev.marathon.runtime.MarathonHome;
import dev.marathon.workflows.McpServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * The user's MCP servers, in the format other agents read ({@code {"mcpServers": {"name":
 * {"command": ..., "args": [...], "env": {...}}}}}): from the user's and the repository's
 * {@code .marathon/config.json} and {@code --mcp-config FILE}, a later one replacing a server of the
 * same name. Each runs in the run's sandbox like the agent's commands, so a repository may name
 * them too. What goes in the run's input is in its history: a variable whose name looks like a
 * secret is refused, and {@code ${VAR}} is filled in here from this shell.
 */
final class McpServersOption {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,24}");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

  @Option(names = "--mcp-config", paramLabel = "FILE",
      description = {"MCP servers whose tools the run is offered as mcp__<server>__<tool>: a JSON file with an \"mcpServers\" block",
          "(as Claude Code's .mcp.json), added to those of ~/.marathon/config.json and the repository's .marathon/config.json.",
          "Each stdio server runs in the run's sandbox, started for each call; its env may not hold secrets."})
  Path file;

  /** The servers by name, checked; {@code repo} may be null (a URL's config is not read). */
  Map<String, McpServer> servers(Path repo) {
    Map<String, McpServer> servers = new TreeMap<>();
    read(MarathonHome.fromEnvironment().config(), servers, false, true);
    // A repository's committers wrote its config: it does not get to read this shell's variables.
    if (repo != null) read(repo.resolve(".marathon/config.json"), servers, false, false);
    if (file != null) {
      OptionChecks.smallFile("--mcp-config", file, 1024 * 1024, "1 MiB for a config");
      read(file, servers, true, true);
    }
    return servers;
  }

  private static void read(Path config, Map<String, McpServer> into, boolean required, boolean yours) {
    if (!Files.isRegularFile(config)) {
      if (required) throw new BadInputException("--mcp-config " + config + ": no such file");
      return;
    }
    JsonNode block;
    try {
      block = Json.MAPPER.readTree(config.toFile()).path("mcpServers");
    } catch (IOException e) {
      throw new BadInputException((required ? "--mcp-config " : "") + config + " is not valid JSON: " + e.getMessage());
    }
    if (block.isMissingNode()) {
      if (required) throw new BadInputException("--mcp-config " + config + " has no \"mcpServers\" block");
      return;
    }
    if (!block.isObject()) throw new BadInputException(config + ": \"mcpServers\" is an object of servers by name");
    for (Iterator<Map.Entry<String, JsonNode>> it = block.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue().path("disabled").asBoolean(false)) {
        into.remove(e.getKey());
        continue;
      }
      into.put(e.getKey(), server(config, e.getKey(), e.getValue(), yours));
    }
  }

  private static McpServer server(Path config, String name, JsonNode s, boolean yours) {
    String where = config + ": mcpServers." + name;
    if (!NAME.matcher(name).matches()) {
      throw new BadInputException(where + ": a server's name is 1 to 24 letters, digits, _ or - (its tools are mcp__" + name + "__<tool>)");
    }
    if (s.hasNonNull("url") || (s.hasNonNull("type") && !s.get("type").asText().equals("stdio"))) {
      throw new BadInputException(where + ": only stdio servers (\"command\") are supported; a remote one can be reached through a stdio"
          + " bridge such as {\"command\": \"npx\", \"args\": [\"-y\", \"mcp-remote\", \"URL\"]} with --allow-host for its host");
    }
    if (!s.path("command").isTextual() || s.get("command").asText().isBlank()) throw new BadInputException(where + " has no \"command\"");
    List<String> args = new ArrayList<>();
    if (s.has("args")) {
      if (!s.get("args").isArray()) throw new BadInputException(where + ".args is a list of strings");
      for (JsonNode a : s.get("args")) {
        if (!a.isTextual()) throw new BadInputException(where + ".args is a list of strings");
        args.add(expand(where, a.asText(), yours));
      }
    }
    Map<String, String> env = new LinkedHashMap<>();
    if (s.has("env")) {
      if (!s.get("env").isObject()) throw new BadInputException(where + ".env is an object of variables");
      for (Iterator<Map.Entry<String, JsonNode>> it = s.get("env").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> v = it.next();
        if (CommandEnvironment.settingProblem(v.getKey()) != null) {
          throw new BadInputException(where + ".env." + v.getKey() + ": not passed, " + CommandEnvironment.settingProblem(v.getKey()));
        }
        env.put(v.getKey(), expand(where, v.getValue().asText(), yours));
      }
    }
    return new McpServer(expand(where, s.get("command").asText(), yours), args, env);
  }

  /** {@code ${VAR}} from this shell's environment, as other agents do; a secret-looking one is refused. */
  private static String expand(String where, String value, boolean yours) {
    Matcher m = VARIABLE.matcher(value);
    if (!yours && m.find()) {
      throw new BadInputException(where + ": a repository's config cannot fill in ${" + m.group(1) + "} from your shell; put the server"
          + " in ~/.marathon/config.json or --mcp-config");
    }
    m.reset();
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String var = m.group(1);
      if (!CommandEnvironment.passable(var)) {
        throw new BadInputException(where + ": ${" + var + "} is not filled in, its name looks like a secret (it would be in the run's history)");
      }
      String v = System.getenv(var);
      if (v == null) throw new BadInputException(where + ": ${" + var + "} is not set");
      m.appendReplacement(out, Matcher.quoteReplacement(v));
    }
    m.appendTail(out);
    return out.toString();
  }
}
