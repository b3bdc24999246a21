package dev.marathon.activities.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.activities.Json;
import dev.marathon.testing.GitRepos;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each tool's contract (names and arguments are what the model is promised) and its refusals. */
class ToolContractTest {
  @TempDir Path tmp;
  Path root;
  Path outside;
  ToolContext ctx;

  @BeforeEach
  void setUp() throws Exception {
    root = GitRepos.create(tmp.resolve("ws"), Map.of(
        "README.md", "# demo\nline two\n",
        "src/Main.java", "class Main {\n  int a = 1;\n  int b = 1;\n}\n",
        "src/util/Strings.java", "class Strings {}\n",
        ".gitignore", "build/\n")).toRealPath();
    Files.createDirectories(root.resolve("build"));
    Files.writeString(root.resolve("build/out.class"), "ignored");
    outside = tmp.resolve("outside.txt");
    Files.writeString(outside, "secret outside\n");
    ctx = context(root, 5, Map.of("PATH", System.getenv("PATH"), "MARATHON_WORKSPACE", "t"));
  }

  /** Commands run unsandboxed here (the sandbox has its own tests), with exactly {@code env}. */
  static ToolContext context(Path root, int seconds, Map<String, String> env) {
    return new ToolContext(root, seconds, () -> { }, new dev.marathon.activities.sandbox.Unsandboxed(), root, java.util.List.of(), env,
        dev.marathon.activities.sandbox.Network.open(), dev.marathon.activities.sandbox.CommandLimits.none("unit test"),
        new dev.marathon.activities.GitWorkTreeFiles());
  }

  ToolOutput run(WorkspaceTool<?> tool, String json) {
    try {
      return tool.execute(Arguments.parse(tool.spec().name(), json), ctx);
    } catch (ToolException e) {
      return ToolOutput.error(e.getMessage());
    }
  }

  @Test
  void bashReportsExitCodeAndCombinedOutputInTheWorkspace() throws Exception {
    ToolOutput out = run(new BashTool(), "{\"command\": \"pwd; echo out; echo err >&2; exit 3\"}");
    assertFalse(out.ok());
    assertTrue(out.text().startsWith("exit code: 3\n"), out.text());
    assertTrue(out.text().contains(root.toString()) && out.text().contains("out") && out.text().contains("err"), out.text());
  }

  @Test
  void bashKillsTheWholeProcessGroupOnTimeout() throws Exception {
    Path marker = root.resolve("late.txt");
    ToolContext quick = context(root, 1, Map.of("PATH", System.getenv("PATH")));
    ToolOutput out = new BashTool().execute(args(
        "{\"command\": \"(sleep 3; echo late > late.txt) & sleep 30\"}"), quick);
    assertFalse(out.ok());
    assertTrue(out.text().startsWith("Command timed out after 1 s"), out.text());
    Thread.sleep(4_000);
    assertFalse(Files.exists(marker), "a background child outlived the killed group");
  }

  @Test
  void bashHidesSecretsAndTruncatesLongOutputForTheModelButKeepsItAll() throws Exception {
    // USER is set for every test process; hidden, the command must not see it.
    assertTrue(System.getenv("USER") != null || System.getenv("HOME") != null);
    ToolContext hiding = context(root, 5, Map.of("PATH", System.getenv("PATH")));
    ToolOutput out = new BashTool().execute(args(
        "{\"command\": \"echo user=${USER:-unset} home=${HOME:-unset}; seq 1 20000\"}"), hiding);
    assertTrue(out.text().contains("user=unset home=unset"), out.text().substring(0, 100));
    assertTrue(out.text().length() <= BoundedText.MODEL_CHARS + 200, "model text " + out.text().length());
    assertTrue(out.text().contains("characters omitted"));
    assertTrue(out.fullOutput().contains("\n10000\n"), "full output keeps the middle");
  }

  @Test
  void bashRejectsMissingOrWronglyTypedCommand() throws Exception {
    assertEquals("Error: bash: missing required argument 'command' (string)", run(new BashTool(), "{}").text());
    assertEquals("Error: bash: argument 'command' must be a string", run(new BashTool(), "{\"command\": 5}").text());
  }

  @Test
  void readFileNumbersLinesAndPages() throws Exception {
    ToolOutput all = run(new ReadFileTool(), "{\"path\": \"src/Main.java\"}");
    assertTrue(all.ok());
    assertTrue(all.text().contains("     2\t  int a = 1;"), all.text());
    ToolOutput page = run(new ReadFileTool(), "{\"path\": \"src/Main.java\", \"offset\": 2, \"limit\": 1}");
    assertEquals("     2\t  int a = 1;\n(lines 2-2 of 4; call read_file with offset=3 to read on)\n", page.text());
    assertEquals("Error: read_file: no such file 'nope.txt'", run(new ReadFileTool(), "{\"path\": \"nope.txt\"}").text());
    assertTrue(run(new ReadFileTool(), "{\"path\": \"src\"}").text().contains("is a directory"));
  }

  @Test
  void writeFileCreatesParentsAndReplaces() throws Exception {
    ToolOutput out = run(new WriteFileTool(), "{\"path\": \"a/b/c.txt\", \"content\": \"hi\\n\"}");
    assertTrue(out.ok(), out.text());
    assertEquals("hi\n", Files.readString(root.resolve("a/b/c.txt")));
    assertTrue(run(new WriteFileTool(), "{\"path\": \"a/b/c.txt\", \"content\": \"bye\"}").text().startsWith("Replaced"));
    assertEquals("bye", Files.readString(root.resolve("a/b/c.txt")));
  }

  @Test
  void editFileNeedsAPresentAndUniqueOldString() throws Exception {
    Path main = root.resolve("src/Main.java");
    String original = Files.readString(main);
    assertTrue(run(new EditFileTool(), "{\"path\": \"src/Main.java\", \"old_string\": \"int c\", \"new_string\": \"x\"}")
        .text().contains("was not found"));
    assertTrue(run(new EditFileTool(), "{\"path\": \"src/Main.java\", \"old_string\": \"= 1;\", \"new_string\": \"= 2;\"}")
        .text().contains("occurs 2 times"));
    assertEquals(original, Files.readString(main), "a refused edit changed the file");
    assertTrue(run(new EditFileTool(), "{\"path\": \"src/Main.java\", \"old_string\": \"int a = 1;\", \"new_string\": \"int a = 7;\"}").ok());
    assertTrue(Files.readString(main).contains("int a = 7;"));
    ToolOutput all = run(new EditFileTool(), "{\"path\": \"src/Main.java\", \"old_string\": \"int\", \"new_string\": \"long\", \"replace_all\": true}");
    assertEquals("Replaced 2 occurrences in src/Main.java.", all.text());
    assertTrue(run(new EditFileTool(), "{\"path\": \"missing.java\", \"old_string\": \"a\", \"new_string\": \"b\"}").text().contains("no such file"));
  }

  @Test
  void listFilesGlobsByNameOrPathAndSkipsIgnoredFiles() throws Exception {
    ToolOutput java = run(new ListFilesTool(), "{\"pattern\": \"*.java\"}");
    assertEquals("src/Main.java\nsrc/util/Strings.java\n", java.text());
    ToolOutput under = run(new ListFilesTool(), "{\"path\": \"src\", \"pattern\": \"util/*.java\"}");
    assertEquals("src/util/Strings.java\n", under.text());
    assertFalse(run(new ListFilesTool(), "{}").text().contains("build/out.class"));
    Files.writeString(root.resolve("new.txt"), "untracked files are listed too");
    assertTrue(run(new ListFilesTool(), "{}").text().contains("new.txt"));
  }

  @Test
  void grepFindsRegexMatchesWithFileAndLine() throws Exception {
    ToolOutput out = run(new GrepTool(), "{\"pattern\": \"int [ab] =\"}");
    assertEquals("src/Main.java:2:   int a = 1;\nsrc/Main.java:3:   int b = 1;\n", out.text());
    assertEquals("No matches.", run(new GrepTool(), "{\"pattern\": \"zzz\", \"path\": \"src\"}").text());
    assertTrue(run(new GrepTool(), "{\"pattern\": \"(unclosed\"}").text().startsWith("Error: grep: bad regular expression"));
  }

  @Test
  void pathsThatEscapeTheWorkspaceAreRefusedAndTouchNothingOutside() throws Exception {
    Files.createSymbolicLink(root.resolve("link-out"), tmp);
    Files.createSymbolicLink(root.resolve("file-out"), outside);
    Files.createSymbolicLink(root.resolve("dangling"), tmp.resolve("nowhere.txt"));
    String[] escapes = {outside.toString(), "../outside.txt", "src/../../outside.txt", "link-out/outside.txt", "file-out", "dangling", "~/x"};
    for (String path : escapes) {
      String p = Json.MAPPER.writeValueAsString(path);
      assertFalse(run(new WriteFileTool(), "{\"path\": " + p + ", \"content\": \"pwned\"}").ok(), path);
      assertFalse(run(new EditFileTool(), "{\"path\": " + p + ", \"old_string\": \"secret\", \"new_string\": \"pwned\"}").ok(), path);
      assertFalse(run(new ReadFileTool(), "{\"path\": " + p + "}").ok(), path);
    }
    assertFalse(run(new ListFilesTool(), "{\"path\": \"..\"}").ok());
    assertFalse(run(new GrepTool(), "{\"pattern\": \"secret\", \"path\": \"link-out\"}").ok());
    assertEquals("secret outside\n", Files.readString(outside));
    assertFalse(Files.exists(tmp.resolve("nowhere.txt")));
    assertFalse(run(new WriteFileTool(), "{\"path\": \".git/config\", \"content\": \"x\"}").ok());
  }

  @Test
  void fileToolsAreConfinedByWhatTheyTouchNotByTheNameTheyAreGiven() throws Exception {
    // A hard link made inside the workspace to a file outside it: another name for the same file.
    Files.createLink(root.resolve("hard.txt"), outside);
    assertTrue(run(new ReadFileTool(), "{\"path\": \"hard.txt\"}").text().contains("hard-linked"));
    assertFalse(run(new EditFileTool(), "{\"path\": \"hard.txt\", \"old_string\": \"secret\", \"new_string\": \"pwned\"}").ok());
    assertTrue(run(new WriteFileTool(), "{\"path\": \"hard.txt\", \"content\": \"mine\"}").ok(), "a write replaces the name");
    assertEquals("mine", Files.readString(root.resolve("hard.txt")));
    assertEquals("secret outside\n", Files.readString(outside), "the file outside was not written through the link");

    // grep does not follow symlinks (to a file or a directory outside) nor read hard-linked files.
    Files.createLink(root.resolve("hard2.txt"), outside);
    Files.createSymbolicLink(root.resolve("file-link"), outside);
    Files.createSymbolicLink(root.resolve("dir-link"), tmp);
    assertEquals("No matches.", run(new GrepTool(), "{\"pattern\": \"secret outside\"}").text());

    // A write keeps an executable script executable.
    Path script = root.resolve("run.sh");
    Files.writeString(script, "echo one\n");
    Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    assertTrue(run(new EditFileTool(), "{\"path\": \"run.sh\", \"old_string\": \"one\", \"new_string\": \"two\"}").ok());
    assertTrue(Files.isExecutable(script));
    // A named pipe would block a reader forever: refused.
    new ProcessBuilder("mkfifo", root.resolve("pipe").toString()).start().waitFor();
    assertFalse(run(new ReadFileTool(), "{\"path\": \"pipe\"}").ok());
  }

  static Arguments args(String json) {
    return Arguments.parse("test", json);
  }

  @Test
  void argumentsAreCheckedForType() {
    assertThrows(ToolException.class, () -> new ReadFileTool().execute(args("{\"path\": \"README.md\", \"offset\": \"two\"}"), ctx));
    assertThrows(ToolException.class, () -> new EditFileTool().execute(args(
        "{\"path\": \"README.md\", \"old_string\": \"demo\", \"new_string\": \"x\", \"replace_all\": \"yes\"}"), ctx));
  }
}
