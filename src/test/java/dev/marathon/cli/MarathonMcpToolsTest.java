package dev.marathon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.activities.Json;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a client's arguments become on the command line: hostile text never becomes an option. */
class MarathonMcpToolsTest {

  static CommandTool tool(String name) {
    return MarathonMcpTools.all().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
  }

  static List<String> line(String tool, Map<String, Object> args) {
    CommandTool t = tool(tool);
    return t.argv(new CommandTool.Args(tool, t.input().json(), Json.MAPPER.valueToTree(args)));
  }

  @Test
  void optionLikeValuesStayValues() {
    List<String> start = line("start_run", Map.of("repo", "--sandbox=off", "task", "--network open", "max_cost", 2.5, "max_turns", 40));
    assertEquals(List.of("run", "--repo=--sandbox=off", "--task=--network open", "--max-turns=40", "--max-cost=2.5", "--detach"), start);
    assertEquals(List.of("steer", "--", "--help", "@/home/me/.ssh/id_ed25519"),
        line("steer_run", Map.of("id", "--help", "message", "@/home/me/.ssh/id_ed25519")));
    assertEquals(List.of("cancel", "--now", "--", "x"), line("cancel_run", Map.of("id", "x", "now", true)));
    assertEquals(List.of("cancel", "--", "x"), line("cancel_run", Map.of("id", "x", "now", false)));
  }

  @Test
  void theCommandLineParsesThemAsValues() {
    var run = CommandTool.parser("run").parseArgs(line("start_run", Map.of("repo", "--sandbox=off", "task", "--network=open")).toArray(String[]::new))
        .subcommand();
    assertEquals("--sandbox=off", run.matchedOptionValue("--repo", null));
    assertEquals("--network=open", run.matchedOptionValue("--task", null));
    assertFalse(run.hasMatchedOption("--sandbox") || run.hasMatchedOption("--network"));
    var steer = CommandTool.parser("steer").parseArgs(line("steer_run", Map.of("id", "--help", "message", "@/etc/hostname")).toArray(String[]::new))
        .subcommand();
    assertEquals(List.of("--help", "[@/etc/hostname]"), steer.matchedPositionals().stream().map(p -> p.getValue().toString()).toList());
    assertFalse(steer.isUsageHelpRequested());
  }

  @Test
  void aRunWithLoosenedContainmentIsNotSteeredFromHere() {
    assertEquals(null, CommandTool.refusal("{\"containment\":{\"sandbox\":true,\"network\":true,\"passEnv\":[],\"networkOpen\":false}}"));
    assertTrue(CommandTool.refusal("{\"containment\":{\"sandbox\":false}}").contains("--sandbox off"));
    assertTrue(CommandTool.refusal("{\"containment\":{\"sandbox\":true,\"networkOpen\":true}}").contains("--network open"));
    assertTrue(CommandTool.refusal("{\"containment\":{\"sandbox\":true,\"passEnv\":[\"GOPATH\"]}}").contains("--pass-env"));
    assertTrue(CommandTool.refusal("{\"status\":\"RUNNING\"}").contains("not known yet"));
  }

  @Test
  void containmentAndTheEndpointAreNotArguments() {
    for (CommandTool t : MarathonMcpTools.all()) {
      var names = t.input().json().path("properties").fieldNames();
      names.forEachRemaining(n -> assertFalse(Set.of("sandbox", "network", "pass_env", "allow_host", "base_url", "api_key_env").contains(n),
          t.name() + " offers " + n));
    }
  }

  @Test
  void badArgumentsAreRefusedWithTheToolsOwnWords() {
    CommandTool.Outcome unknown = tool("run_status").call(Map.of("id", "x", "verbose", true), List.of());
    assertTrue(unknown.failed() && unknown.text().contains("unknown argument 'verbose' (it takes: id)"), unknown.text());
    CommandTool.Outcome missing = tool("steer_run").call(Map.of("id", "x"), List.of());
    assertTrue(missing.failed() && missing.text().contains("'message' is required"), missing.text());
    CommandTool.Outcome typed = tool("run_diff").call(Map.of("id", "x", "turn", "three"), List.of());
    assertTrue(typed.failed() && typed.text().contains("'turn' must be an integer"), typed.text());
    CommandTool.Outcome huge = tool("start_run").call(Map.of("repo", ".", "task", "t", "max_tokens", new java.math.BigInteger("18446744073709551716")), List.of());
    assertTrue(huge.failed() && huge.text().contains("'max_tokens' must be an integer"), huge.text());
  }

  @Test
  void errorsNameTheToolsArgumentsNotTheCliOptions() {
    String said = tool("start_run").inTheToolsWords("error: --max-turns must be at least 1\n(./marathon run --help shows the options)");
    assertEquals("error: 'max_turns' must be at least 1", said);
    assertEquals("error: --max-command-timeout is too small", tool("start_run").inTheToolsWords("error: --max-command-timeout is too small"));
  }

  @Test
  void longOutputIsCutWithANote() {
    String cut = CommandTool.capped("x".repeat(CommandTool.MAX_OUTPUT_CHARS + 10));
    assertTrue(cut.endsWith("ask for less (fewer turns, one turn's diff)]") && cut.length() < CommandTool.MAX_OUTPUT_CHARS + 100);
  }
}
