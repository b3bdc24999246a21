package dev.marathon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.testing.GitRepos;
import dev.marathon.workflows.AgentWorkflow;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bad input is exit 2 with one line that names the option, before anything connects: no
 * stack trace, no hang, no exit 1. Runs the CLI's entry point in-process; no server is needed,
 * and none is reached: commands that would connect are pointed at a documentation address
 * (192.0.2.1, TEST-NET-1) that no server answers and that Marathon never starts one on, so a check
 * that regresses fails here as exit 1, quickly, instead of starting anything.
 */
class BadInputTest {
  static final String NOWHERE = "--address=192.0.2.1:7233";

  @TempDir static Path dir;
  static Path repo;
  static Path bigTask;

  static Path fifo;

  @BeforeAll
  static void files() throws Exception {
    repo = GitRepos.create(dir.resolve("repo"), Map.of("README.md", "hello\n"));
    bigTask = Files.writeString(dir.resolve("big-task.md"), "x".repeat(RunCommand.MAX_TASK_BYTES + 1));
    fifo = dir.resolve("task.fifo"); // reading a pipe with no writer waits forever
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
  }

  record Result(int code, String out, String err) {}

  /** {@code ./marathon args...}, in-process as {@code main} builds it (only the command named): the exit code and what it printed. */
  static Result marathon(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cl = Main.commandLine(args.length == 0 ? null : args[0]);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  /** A run that would start but for the options after {@code --detach}. */
  static String[] run(String... more) {
    List<String> args = new ArrayList<>(List.of("run", "--repo", repo.toString(), "--task", "fix it", "--model", "m", "--detach"));
    args.addAll(List.of(more));
    if (args.stream().noneMatch(a -> a.startsWith("--address"))) args.add(NOWHERE);
    return args.toArray(String[]::new);
  }

  static Arguments bad(String option, String... args) {
    return Arguments.of(option, args);
  }

  static Stream<Arguments> badInputs() {
    String longText = "y".repeat(AgentWorkflow.MAX_STEER_CHARS + 1);
    return Stream.of(
        // a model endpoint
        bad("--base-url", run("--base-url", "http://localhost:0/v1")),
        bad("--base-url", run("--base-url", "http://localhost:65536/v1")),
        bad("--base-url", run("--base-url", "http://localhost:99999/v1")),
        bad("--base-url", run("--base-url", "http://localhost:-1/v1")),
        bad("--base-url", run("--base-url", "https://user:pw@api.example.com/v1")),
        // the repository and the task
        bad("--repo", "run", "--repo", "", "--task", "x", "--detach", NOWHERE),
        bad("--task-file", "run", "--repo", "REPO", "--task-file", "/dev/zero", "--detach", NOWHERE),
        bad("--task-file", "run", "--repo", "REPO", "--task-file", "DIR", "--detach", NOWHERE),
        bad("--task-file", "run", "--repo", "REPO", "--task-file", "BIG", "--detach", NOWHERE),
        bad("--task-file", "run", "--repo", "REPO", "--task-file", "", "--detach", NOWHERE),
        bad("--task", "run", "--repo", "REPO", "--task", " ", "--detach", NOWHERE),
        bad("--task-file", "run", "--repo", "REPO", "--task-file", "FIFO", "--detach", NOWHERE),
        bad("--repo", "run", "--repo", "/no/such/dir", "--task", "x", "--detach", NOWHERE),
        bad("--id", run("--id", "")),
        bad("--title", run("--title", " ")),
        bad("--max-agents", run("--max-agents", "5")),
        // the user's MCP servers
        bad("--mcp-config", run("--mcp-config", "/no/such/mcp.json")),
        bad("--mcp-config", run("--mcp-config", "DIR")),
        // where the run's events go
        bad("--notify", run("--notify", "https://ok.example.com/hook", "--notify", "rm -rf /")),
        bad("--notify", run("--notify", "https://u:pw@hooks.example.com/x")),
        bad("--notify", run("--notify", "ftp://files.example.com/")),
        bad("--notify", run("--notify", "https:///no-host")),
        bad("--notify-format", run("--notify", "https://ok.example.com/hook", "--notify-format", "xml")),
        bad("--notify-format", run("--notify", "desk", "--notify-format", "slack")),
        // the server's address, on any command
        bad("--address", run("--address", ":99999")),
        bad("--address", run("--address", "localhost:0")),
        bad("--address", run("--address", "")),
        bad("--address", "status", "some-run", "--address", "localhost:99999"),
        bad("--address", "worker", "--address", "127.0.0.1"),
        bad("--address", "list", "--address", "localhost:http"),
        bad("--namespace", "list", "--namespace", "", NOWHERE),
        // what a command writes, serves, or sends
        bad("--out", "export", "some-run", "--out", "/no/such/dir/run.jsonl", NOWHERE),
        bad("--out", "export", "some-run", "--out", "DIR", NOWHERE),
        bad("--out", "export", "some-run", "--out", "", NOWHERE),
        bad("--port", "server", "--port", "-1"),
        bad("--port", "server", "--port", "65536"),
        bad("--port", "server", "--port", "65000"),
        bad("--ui-port", "server", "--ui-port", "-1"),
        bad("--ui-port", "server", "--ui-port", "70000"),
        bad("--ip", "server", "--ip", ""),
        bad("--db", "server", "--db", "DIR"),
        bad("MESSAGE", "steer", "some-run", "", NOWHERE),
        bad("MESSAGE", "steer", "some-run", "  ", NOWHERE),
        bad("MESSAGE", "steer", "some-run", longText, NOWHERE),
        bad("--reason", "pause", "some-run", "--reason", "", NOWHERE),
        bad("--reason", "pause", "some-run", "--reason", "z".repeat(SignalCommands.Pause.MAX_REASON_CHARS + 1), NOWHERE),
        // turns and ids of other runs
        bad("--turn", "fork", "some-run", "--turn", "0", NOWHERE),
        bad("--turn", "rewind", "some-run", "--turn", "-1", NOWHERE),
        bad("--turn", "diff", "some-run", "--turn", "0", NOWHERE),
        bad("--turns", "log", "some-run", "--turns", "3..1", NOWHERE),
        bad("--turns", "log", "some-run", "--turns", "x", NOWHERE),
        bad("--id", "fork", "some-run", "--turn", "1", "--id", "", NOWHERE),
        bad("--id", "fork", "some-run", "--turn", "1", "--id", "Bad Id", NOWHERE),
        bad("--message", "fork", "some-run", "--turn", "1", "--message", "", NOWHERE),
        bad("--message", "fork", "some-run", "--turn", "1", "--message", longText, NOWHERE),
        bad("--limit", "list", "--limit", "0", NOWHERE),
        bad("--repo", "list", "--repo", "", NOWHERE),
        bad("--repo", "models", "--repo", ""),
        bad("--repo", "models", "--repo", "/no/such/dir"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("badInputs")
  void isRefusedAtTheDoorWithOneLineNamingTheOption(String option, String[] template) {
    String[] args = new String[template.length];
    for (int i = 0; i < template.length; i++) {
      args[i] = switch (template[i]) {
        case "REPO" -> repo.toString();
        case "DIR" -> dir.toString();
        case "BIG" -> bigTask.toString();
        case "FIFO" -> fifo.toString();
        default -> template[i];
      };
    }
    assertRefused(option, args);
  }

  /** A repository's config may name endpoints, never URLs: its committers would choose where your runs' news goes. */
  @Test
  void aRepositorysConfigCannotSendTheRunsNewsToAUrl() throws Exception {
    Path committed = GitRepos.create(dir.resolve("repo-notify"), Map.of(".marathon/config.json", "{\"notify\": [\"https://collector.example.net/x\"]}"));
    Result r = marathon("run", "--repo", committed.toString(), "--task", "fix it", "--model", "m", "--detach", NOWHERE);
    assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
    assertTrue(r.err().contains("a repository's \"notify\" may name endpoints only"), r.err());
  }

  /** An MCP server block that cannot be run as given is refused by name, before anything starts. */
  @Test
  void anMcpServerBlockThatCannotRunAsGivenIsRefused() throws Exception {
    for (String[] c : List.of(
        new String[] {"{\"mcpServers\": {\"gh\": {\"command\": \"gh-mcp\", \"env\": {\"GITHUB_TOKEN\": \"ghp_x\"}}}}", "looks like a secret"},
        new String[] {"{\"mcpServers\": {\"remote\": {\"url\": \"https://mcp.example.com/mcp\"}}}", "only stdio servers"},
        new String[] {"{\"mcpServers\": {\"bad name!\": {\"command\": \"x\"}}}", "a server's name"},
        new String[] {"{\"mcpServers\": {\"x\": {\"args\": [\"a\"]}}}", "has no \"command\""},
        new String[] {"{\"mcpServers\": {\"x\": {\"command\": \"x\", \"args\": [\"${OPENAI_API_KEY}\"]}}}", "looks like a secret"})) {
      Path config = Files.writeString(dir.resolve("mcp.json"), c[0]);
      Result r = marathon(run("--mcp-config", config.toString()));
      assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
      assertTrue(r.err().contains(c[1]) && r.err().startsWith("error: "), c[0] + " → " + r.err());
      assertFalse(r.err().contains("ghp_x"), r.err());
    }
    Path committed = GitRepos.create(dir.resolve("repo-mcp"), Map.of(".marathon/config.json",
        "{\"mcpServers\": {\"x\": {\"command\": \"x\", \"args\": [\"${HOME}\"]}}}"));
    Result r = marathon("run", "--repo", committed.toString(), "--task", "fix it", "--model", "m", "--detach", NOWHERE);
    assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
    assertTrue(r.err().contains("a repository's config cannot fill in ${HOME}"), r.err());
  }

  /** Every command that takes a run id refuses an empty one. */
  @Test
  void anEmptyRunIdIsRefusedByEveryCommandThatTakesOne() {
    for (String command : List.of("status", "watch", "steer", "pause", "unpause", "budget", "finish", "cancel", "resume", "history",
        "log", "diff", "export", "fork", "rewind", "ui")) {
      assertRefused("ID", command, "", "x", NOWHERE);
      assertRefused("ID", command, " ", NOWHERE);
    }
  }

  @Test
  void anUnknownCommandOrOptionPointsAtTheRightHelp() {
    Result command = marathon("frob");
    assertEquals(ExitCodes.BAD_INPUT, command.code(), command.err());
    assertTrue(command.err().contains("'frob'"), command.err());
    assertTrue(command.err().contains("(./marathon --help lists the commands)"), command.err());
    assertFalse(command.err().contains("marathon marathon"), command.err());
    Result option = marathon("status", "--frob");
    assertEquals(ExitCodes.BAD_INPUT, option.code(), option.err());
    assertTrue(option.err().contains("(./marathon status --help shows the options)"), option.err());
  }

  static void assertRefused(String option, String... args) {
    String shown = String.join(" ", args);
    if (shown.length() > 200) shown = shown.substring(0, 200) + "…";
    String what = "./marathon " + shown;
    Result r = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> marathon(args), what + " hangs");
    String err = r.err().strip();
    assertEquals(ExitCodes.BAD_INPUT, r.code(), what + " exits " + r.code() + ": " + err);
    assertFalse(err.contains("\n"), what + " says more than one line: " + err);
    assertTrue(err.startsWith("error: "), what + ": " + err);
    assertTrue(err.contains(option), what + " does not name " + option + ": " + err);
    for (String s : List.of(err, r.out())) {
      assertFalse(s.contains("at dev.marathon") || s.contains("Exception"), what + " shows a stack trace or an exception: " + s);
    }
    assertFalse(err.contains("pw@"), what + " echoes credentials: " + err);
  }
}
