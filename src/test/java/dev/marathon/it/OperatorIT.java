package dev.marathon.it;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.call;
import static dev.marathon.testing.ScriptedModel.finish;
import static dev.marathon.testing.ScriptedModel.newUserText;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.activities.Json;
import dev.marathon.runtime.Connection;
import dev.marathon.runtime.HttpUpdate;
import dev.marathon.runtime.MarathonHome;
import dev.marathon.runtime.RunInspector;
import dev.marathon.runtime.ServerHttpApi;
import dev.marathon.runtime.Runs;
import dev.marathon.runtime.WorkerHost;
import dev.marathon.testing.DevServerFixture;
import dev.marathon.testing.Eventually;
import dev.marathon.testing.Gate;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.Launcher;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.TestRuns;
import dev.marathon.workflows.Budget;
import dev.marathon.workflows.MarathonSearchAttributes;
import dev.marathon.workflows.Progress;
import dev.marathon.workflows.RunOptions;
import dev.marathon.workflows.RunOutcome;
import dev.marathon.workflows.RunReport;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.sdk.v1.WorkflowInteractionDefinition;
import io.temporal.api.sdk.v1.WorkflowMetadata;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.common.SearchAttributes;
import io.temporal.common.WorkflowExecutionHistory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Web UI's story and the operator's controls, against the real dev server (with its UI):
 * summaries, details, search attributes and the progress query; steer, pause, unpause, cancel
 * from the CLI, the temporal CLI and the Temporal API alike.
 */
class OperatorIT {
  @TempDir static Path tmp;
  static DevServerFixture server;
  static Path home;
  static Connection conn;
  static WorkerHost worker;

  @BeforeAll
  static void start() throws Exception {
    server = new DevServerFixture(Files.createDirectories(tmp.resolve("server"))).start();
    home = Files.createDirectories(tmp.resolve("home"));
    conn = server.connect(home);
    worker = WorkerHost.start(conn.client(), new MarathonHome(home));
    ServerHttpApi.record(new MarathonHome(home), server.port(), server.httpPort(), ProcessHandle.current()); // as ./marathon does when it starts a server (it lives as long as this JVM)
  }

  @AfterAll
  static void stop() throws Exception {
    worker.close();
    conn.close();
    server.close();
  }

  static Runs runs() {
    return new Runs(conn.client());
  }

  static void start(String id, ScriptedModel model, RunOptions options) throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo-" + id), Map.of("README.md", "# operator\n"));
    runs().start(TestRuns.state(id, repo, TestRuns.model(model.baseUrl(), 200_000), "Fix the flaky tests in module X\nDetails follow.",
        options, Budget.UNLIMITED));
  }

  static Launcher.Result cli(String... args) throws Exception {
    String[] withAddress = java.util.Arrays.copyOf(args, args.length + 2);
    withAddress[args.length] = "--address";
    withAddress[args.length + 1] = server.address();
    return Launcher.run(home, Map.of(), 120, withAddress);
  }

  /**
   * The command as a user runs it, proven to have used the server's HTTP API alone: the JVM's
   * class-load log shows no gRPC class.
   */
  static Launcher.Result overHttpOnly(String... args) throws Exception {
    String[] withAddress = java.util.Arrays.copyOf(args, args.length + 2);
    withAddress[args.length] = "--address";
    withAddress[args.length + 1] = server.address();
    Path classes = Files.createTempFile(tmp, "classes", ".log");
    Launcher.Result r = Launcher.run(home, Map.of("MARATHON_JAVA_OPTS", "-Xlog:class+load:file=" + classes), 120, withAddress);
    String loaded = Files.readString(classes);
    assertTrue(loaded.contains("ServerHttpApi"), "the HTTP API was tried: " + r);
    assertFalse(loaded.contains(" io.grpc."), "no gRPC started for " + String.join(" ", args) + ": " + r);
    return r;
  }

  /** The command over the HTTP API alone and over gRPC alone prints the same. */
  static Launcher.Result sameOverHttpAndGrpc(String... args) throws Exception {
    Launcher.Result http = overHttpOnly(args);
    String[] withAddress = java.util.Arrays.copyOf(args, args.length + 2);
    withAddress[args.length] = "--address";
    withAddress[args.length + 1] = server.address();
    Launcher.Result grpc = Launcher.run(home, Map.of("MARATHON_HTTP_API", "off"), 120, withAddress);
    assertEquals(0, grpc.exit(), grpc.toString());
    assertEquals(0, http.exit(), http.toString());
    assertEquals(grpc.out(), http.out(), "over HTTP and over gRPC");
    return http;
  }

  static RunReport result(String id) {
    try {
      return Eventually.get(() -> runs().describe(id).getStatus().name().endsWith("COMPLETED") ? runs().result(id) : null,
          Duration.ofSeconds(180), id + " completing");
    } catch (AssertionError e) {
      String state = runs().describe(id).getStatus() + " " + runs().progress(id);
      throw new AssertionError(e.getMessage() + "; the run is " + state, e);
    }
  }

  static Progress await(String id, String what, java.util.function.Predicate<Progress> condition) {
    return Eventually.get(() -> {
      Progress p = runs().progress(id);
      return condition.test(p) ? p : null;
    }, Duration.ofSeconds(120), id + ": " + what);
  }

  /** Requests for a turn that the model answered. */
  static List<String> prompts(ScriptedModel model, int turn) {
    List<String> out = new ArrayList<>();
    for (ScriptedModel.Seen s : model.requests()) if (s.turn() == turn && s.status() == 200) out.add(s.body().path("messages").toString());
    return out;
  }

  static long occurrences(ScriptedModel model, String text) {
    return model.requests().stream().filter(s -> s.status() == 200)
        .mapToLong(s -> newUserText(s.body()).contains(text) ? 1 : 0).sum();
  }

  @Test
  void theWebUiToldTheStoryOfAFinishedRun() throws Exception {
    List<Reply> script = List.of(
        Reply.tools("Plan first.", call("update_plan", Map.of("steps", List.of(
            Map.of("step", "find the flaky test", "status", "completed"),
            Map.of("step", "fix it", "status", "in_progress"))))),
        Reply.tools("Run the tests.", bash("echo 'mvn -q test' && true")),
        Reply.tools("Fix it.", call("edit_file", Map.of("path", "README.md", "old_string", "operator", "new_string", "operator, fixed"))),
        Reply.tools("Done.", finish("Fixed the flaky test.")));
    try (ScriptedModel model = new ScriptedModel((turn, req) -> script.get(turn - 1))) {
      start("story-1", model, RunOptions.DEFAULTS);
      RunReport report = result("story-1");
      assertEquals(RunOutcome.FINISHED, report.outcome());

      WorkflowExecutionDescription d = runs().describe("story-1");
      assertEquals("Fix the flaky tests in module X", d.getStaticSummary());
      assertTrue(d.getStaticDetails().contains("| branch | `marathon/story-1` |"), d.getStaticDetails());
      assertTrue(d.getStaticDetails().contains("./marathon steer story-1"), d.getStaticDetails());

      SearchAttributes sa = d.getTypedSearchAttributes();
      assertEquals("finished", sa.get(MarathonSearchAttributes.PHASE));
      assertEquals("scripted-1", sa.get(MarathonSearchAttributes.MODEL));
      assertTrue(sa.get(MarathonSearchAttributes.REPO).endsWith("repo-story-1"));
      assertEquals(4L, sa.get(MarathonSearchAttributes.TURNS));
      assertEquals(4L, sa.get(MarathonSearchAttributes.TOOL_CALLS));
      assertEquals(report.progress().usage().totalTokens(), sa.get(MarathonSearchAttributes.TOKENS));
      assertTrue(sa.get(MarathonSearchAttributes.COST) > 0);

      WorkflowMetadata meta = runs().stub("story-1").query("__temporal_workflow_metadata", WorkflowMetadata.class);
      assertTrue(meta.getCurrentDetails().contains("- [x] find the flaky test"), meta.getCurrentDetails());
      assertTrue(meta.getCurrentDetails().contains("**finished** · turn 4"), meta.getCurrentDetails());
      assertTrue(meta.getCurrentDetails().contains("cost $"), meta.getCurrentDetails());
      for (List<WorkflowInteractionDefinition> defs : List.of(meta.getDefinition().getQueryDefinitionsList(),
          meta.getDefinition().getSignalDefinitionsList(), meta.getDefinition().getUpdateDefinitionsList())) {
        for (WorkflowInteractionDefinition def : defs) {
          if (!def.getName().startsWith("__")) assertFalse(def.getDescription().isBlank(), def.getName() + " has no description");
        }
      }
      assertTrue(meta.getDefinition().getUpdateDefinitionsList().stream().anyMatch(u -> u.getName().equals("steer")));

      List<String> summaries = new ArrayList<>();
      for (HistoryEvent e : conn.client().fetchHistory("story-1").getEvents()) {
        if (e.hasActivityTaskScheduledEventAttributes() && e.hasUserMetadata()) {
          summaries.add(Json.MAPPER.readTree(e.getUserMetadata().getSummary().getData().toStringUtf8()).asText());
        }
      }
      assertTrue(summaries.containsAll(List.of("begin: workspace on marathon/story-1", "model: turn 1 (scripted-1)",
          "bash: echo 'mvn -q test' && true", "edit_file: README.md", "commit: marathon/story-1")), summaries.toString());

      Launcher.Result status = cli("status", "story-1", "--json");
      JsonNode json = Json.MAPPER.readTree(status.out());
      JsonNode progress = Json.MAPPER.valueToTree(runs().progress("story-1"));
      progress.fieldNames().forEachRemaining(f -> {
        if (!f.equals("workflowId")) assertEquals(progress.get(f).toString(), json.get(f).toString(), "status --json and the progress query differ on " + f);
      });

      Launcher.Result ui = cli("ui", "story-1");
      assertEquals(server.uiUrl() + "/namespaces/default/workflows/story-1/" + d.getExecution().getRunId() + "/history", ui.out().strip());
    }
  }

  /** What the model is writing rides on the model call's heartbeat: status shows it while the turn streams. */
  @Test
  void statusShowsWhatTheModelIsWritingWhileItStreams() throws Exception {
    String thinking = "Reading the flaky test first; the timeout in FooTest looks too short, so";
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    try (ScriptedModel model = new ScriptedModel((turn, req) -> turn == 1
        ? Reply.tools(thinking, bash("true")).failing(ScriptedModel.Fault.holdAfter(3, release))
        : Reply.tools("done", finish("ok")))) {
      start("live-1", model, new RunOptions(600, 3600, 60, 4000, 80)); // a minute before the held stream counts as stalled
      RunInspector inspector = new RunInspector(runs());
      String live = Eventually.get(() -> {
        String now = inspector.now("live-1").liveOutput();
        return now != null && now.contains("Reading") ? now : null;
      }, Duration.ofSeconds(30), "the reasoning so far on the heartbeat");
      assertTrue(live.startsWith("turn 1: …") && thinking.startsWith(live.substring("turn 1: …".length())), live);
      Launcher.Result status = overHttpOnly("status", "live-1");
      assertTrue(status.out().contains("model:  turn 1: …Reading the flaky test"), status.toString());
      assertTrue(cli("status", "live-1").out().contains("model:  turn 1: …Reading the flaky test"), "and over gRPC");
      release.countDown();
      assertEquals(RunOutcome.FINISHED, result("live-1").outcome());
      assertEquals(null, inspector.now("live-1").liveOutput(), "nothing is live once the run ended");
    }
  }

  @Test
  void steeringLandsAtTheNextTurnOnceAndIsRefusedAfterTheEnd() throws Exception {
    Gate gate = new Gate((turn, req) -> turn >= 5 ? Reply.tools("done", finish("steered")) : Reply.tools("t" + turn, bash("echo " + turn))).close(2);
    try (ScriptedModel model = new ScriptedModel(gate)) {
      start("steer-1", model, RunOptions.DEFAULTS);
      gate.awaitReached(2); // the agent is thinking about turn 2
      Launcher.Result steer = overHttpOnly("steer", "steer-1", "Use", "JUnit", "5", "please");
      assertEquals(0, steer.exit(), steer.toString());
      assertEquals("delivered to steer-1 at turn 3", steer.out().strip());
      // An update's id is applied once: the same steer sent again (a retry over gRPC uses the same id) is not a second message.
      ServerHttpApi api = ServerHttpApi.beside(server.address(), new MarathonHome(home), Map.of()).orElseThrow();
      var first = HttpUpdate.send(api, "default", "steer-1", "steer", "retried-id", "Mind the flaky clock", Duration.ofSeconds(10));
      var again = HttpUpdate.send(api, "default", "steer-1", "steer", "retried-id", "Mind the flaky clock", Duration.ofSeconds(10));
      assertTrue(first instanceof HttpUpdate.Result.Applied, first.toString());
      assertEquals(first, again);
      var refused = HttpUpdate.send(api, "default", "steer-1", "steer", "blank-id", "  ", Duration.ofSeconds(10));
      assertEquals(new HttpUpdate.Result.Refused("empty message"), refused, "the run's validator, as over gRPC");
      assertEquals(new HttpUpdate.Result.NotApplied(), HttpUpdate.send(api, "default", "no-such-run", "steer", "x", "hi", Duration.ofSeconds(10)));
      gate.open(2);
      assertEquals(RunOutcome.FINISHED, result("steer-1").outcome());
      assertTrue(prompts(model, 3).get(0).contains("Message from the operator: Use JUnit 5 please"));
      assertEquals(1, occurrences(model, "Use JUnit 5 please"), "delivered exactly once");
      assertEquals(1, occurrences(model, "Mind the flaky clock"), "an update id is applied once");
      Launcher.Result late = cli("steer", "steer-1", "too late");
      assertEquals(1, late.exit(), late.toString());
      assertTrue(late.err().contains("steer refused") && late.err().contains("the run has ended"), late.toString());
    }
  }

  @Test
  void aSteerPendingAcrossContinueAsNewIsDeliveredOnceInTheNextRun() throws Exception {
    Gate gate = new Gate((turn, req) -> turn >= 12 ? Reply.tools("done", finish("ok")) : Reply.tools("t" + turn, bash("echo " + turn))).close(6);
    // Continue as new after ~40 events: every few turns.
    try (ScriptedModel model = new ScriptedModel(gate)) {
      start("steer-can", model, new RunOptions(600, 3600, 10, 40, 80));
      gate.awaitReached(6);
      int runsBefore = runs().progress("steer-can").runsInChain();
      assertEquals("delivered to steer-can at turn 7", cli("steer", "steer-can", "MIND-THE-CAN").out().strip());
      gate.open(6);
      RunReport report = result("steer-can");
      assertTrue(report.progress().runsInChain() > runsBefore, "the run continued as new meanwhile");
      assertEquals(1, occurrences(model, "MIND-THE-CAN"), "delivered exactly once");
      assertTrue(prompts(model, 7).get(0).contains("MIND-THE-CAN"));
      // The real histories replay against today's code: every run of the chain.
      for (WorkflowExecutionHistory h : dev.marathon.runtime.HistoryChain.fetch(conn.client(), "steer-can")) {
        dev.marathon.testing.Replays.replay(h);
      }
      // The latest run of the chain still names its task: in lists (memo) and in its live details.
      Launcher.Result listed = cli("list", "--json");
      assertTrue(listed.out().contains("\"workflowId\":\"steer-can\"") && listed.out().contains("Fix the flaky tests in module X"), listed.toString());
      WorkflowMetadata meta = runs().stub("steer-can").query("__temporal_workflow_metadata", WorkflowMetadata.class);
      assertTrue(meta.getCurrentDetails().startsWith("## Fix the flaky tests in module X"), meta.getCurrentDetails());
      Launcher.Result history = cli("history", "steer-can", "--json");
      JsonNode chain = Json.MAPPER.readTree(history.out());
      assertEquals(report.progress().runsInChain(), chain.path("runs").size());
      assertTrue(chain.path("runs").get(0).path("history").path("events").size() > 10);
    }
  }

  @Test
  void pauseTakesEffectAtTheBoundaryAndIsVisibleToEveryTool() throws Exception {
    Gate gate = new Gate((turn, req) -> turn >= 6 ? Reply.tools("done", finish("ok")) : Reply.tools("t" + turn, bash("echo " + turn))).close(2);
    try (ScriptedModel model = new ScriptedModel(gate)) {
      start("pause-1", model, RunOptions.DEFAULTS);
      gate.awaitReached(2);
      assertEquals(0, cli("pause", "pause-1", "--reason", "lunch").exit());
      gate.open(2); // turn 2 completes, then the run stops at the boundary
      Progress p = await("pause-1", "paused", x -> "paused".equals(x.phase()));
      assertEquals(2, p.turn());
      assertEquals("lunch", p.pause().reason());
      Eventually.get(() -> "paused".equals(runs().describe("pause-1").getTypedSearchAttributes().get(MarathonSearchAttributes.PHASE)) ? true : null);

      Launcher.Result listed = sameOverHttpAndGrpc("list", "--status", "paused", "--json");
      assertTrue(listed.out().contains("\"workflowId\":\"pause-1\""), listed.toString());
      assertTrue(sameOverHttpAndGrpc("status", "pause-1").out().contains("paused: lunch"));
      assertTrue(listed.out().contains("\"title\":\"Fix the flaky tests in module X\""), listed.toString());
      Process temporal = new ProcessBuilder(DevServerFixture.binary().toString(), "workflow", "list", "--address", server.address(),
          "--query", "MarathonPhase='paused'").redirectErrorStream(true).start();
      String out = new String(temporal.getInputStream().readAllBytes());
      assertEquals(0, temporal.waitFor(), out);
      assertTrue(out.contains("pause-1"), out);

      int asked = model.requests().size();
      String live = watchOnATerminal("pause-1", 30);
      assertEquals(asked, model.requests().size(), "a paused run asks the model nothing");
      assertTrue(live.contains("PAUSED: lunch"), live);
      assertTrue(live.contains("\u001b[") && live.contains("A\u001b[J"), "redrawn in place on a terminal: " + live);
      assertEquals(0, cli("unpause", "pause-1").exit());
      assertEquals(RunOutcome.FINISHED, result("pause-1").outcome());
      assertTrue(sameOverHttpAndGrpc("status", "pause-1", "--json").out().contains("\"phase\":\"finished\""));
      assertTrue(sameOverHttpAndGrpc("log", "pause-1").out().contains("echo 2"));
      assertTrue(sameOverHttpAndGrpc("export", "pause-1", "--out", "-").out().contains("marathon-trajectory/1"));
      sameOverHttpAndGrpc("diff", "pause-1");
      Launcher.Result watched = cli("watch", "pause-1");
      assertEquals(0, watched.exit(), watched.toString());
      assertTrue(watched.out().contains("ended finished"), watched.toString());
    }
  }

  /**
   * Runs ./marathon watch under a pseudo-terminal (util-linux script) until it has drawn its block twice
   * (the second time in place), or for at most {@code seconds}. It waits for what it needs rather than a
   * fixed time: on a loaded machine the launcher's JVM alone can take seconds to start.
   */
  static String watchOnATerminal(String id, int seconds) throws Exception {
    ProcessBuilder launcher = Launcher.builder(home, Map.of(), "watch", id, "--address", server.address());
    String command = "timeout " + seconds + " " + String.join(" ", launcher.command());
    ProcessBuilder pb = new ProcessBuilder("script", "-qfec", command, "/dev/null").redirectErrorStream(true);
    pb.environment().putAll(launcher.environment());
    Process p = pb.start();
    StringBuffer out = new StringBuffer();
    Thread reader = new Thread(() -> {
      try (var in = new java.io.InputStreamReader(p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8)) {
        char[] buf = new char[4096];
        for (int n; (n = in.read(buf)) > 0; ) out.append(buf, 0, n);
      } catch (java.io.IOException closed) {
        // the process was stopped: what was read is the answer
      }
    });
    reader.start();
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(seconds + 5);
    while (p.isAlive() && System.nanoTime() < deadline && !redrawnWhole(out.toString())) Thread.sleep(100);
    p.destroy();
    p.waitFor();
    reader.join(5_000);
    return out.toString();
  }

  /**
   * Whether watch has redrawn its block in place and the redrawn block is all there: after the last
   * {@code ESC[nA ESC[J} (up n lines, clear below) as many lines as the block it replaced.
   */
  static boolean redrawnWhole(String out) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\u001b\\[(\\d+)A\u001b\\[J").matcher(out);
    int lines = -1;
    int end = -1;
    while (m.find()) {
      lines = Integer.parseInt(m.group(1));
      end = m.end();
    }
    return lines > 0 && out.substring(end).chars().filter(c -> c == '\n').count() >= lines;
  }

  @Test
  void cancelWrapsUpGracefullyAndASecondCancelStopsAtOnceLeavingTheWorkspaceConsistent() throws Exception {
    Supplier<ScriptedModel.Script> polite = () -> (turn, req) -> newUserText(req).contains("operator cancelled")
        ? Reply.tools("wrapping up", finish("Cancelled: committed what I had."))
        : Reply.tools("t" + turn, bash("echo step-" + turn + " >> log.txt"));
    Gate gate = new Gate(polite.get()).close(3);
    try (ScriptedModel model = new ScriptedModel(gate)) {
      start("cancel-1", model, RunOptions.DEFAULTS);
      gate.awaitReached(3);
      assertEquals(0, cli("cancel", "cancel-1").exit());
      gate.open(3);
      RunReport report = result("cancel-1");
      assertEquals(RunOutcome.CANCELLED, report.outcome());
      assertEquals("Cancelled: committed what I had.", report.summary());
      assertEquals("step-1\nstep-2\nstep-3", GitRepos.git(tmp.resolve("repo-cancel-1"), "show", "marathon/cancel-1:log.txt"));
    }

    // A long command in flight, cancelled twice: it stops now, and its half-done effect is rolled back.
    ScriptedModel.Script slow = (turn, req) -> turn == 2
        ? Reply.tools("slow", bash("echo half >> log.txt; sleep 60; echo never >> log.txt"))
        : Reply.tools("t" + turn, bash("echo step-" + turn + " >> log.txt"));
    try (ScriptedModel model = new ScriptedModel(slow)) {
      start("cancel-2", model, RunOptions.DEFAULTS);
      Path log = home.resolve("workspaces/cancel-2/log.txt");
      Eventually.get(() -> CrashRecoveryIT.read(log).contains("half") ? true : null, Duration.ofSeconds(60), "the slow command");
      assertEquals(0, cli("cancel", "cancel-2").exit());
      assertEquals(0, cli("cancel", "cancel-2").exit()); // second cancel: now
      RunReport report = result("cancel-2");
      assertEquals(RunOutcome.CANCELLED, report.outcome());
      assertEquals("step-1", GitRepos.git(tmp.resolve("repo-cancel-2"), "show", "marathon/cancel-2:log.txt"),
          "the branch holds the last completed step, not the half-done one");
    }

    // The Web UI's "Request Cancellation" (here: the temporal CLI) is the same graceful cancel;
    // Temporal then records the run as Canceled, and the report is in its progress.
    Gate gate3 = new Gate(polite.get()).close(2);
    try (ScriptedModel model = new ScriptedModel(gate3)) {
      start("cancel-3", model, RunOptions.DEFAULTS);
      gate3.awaitReached(2);
      Process temporal = new ProcessBuilder(DevServerFixture.binary().toString(), "workflow", "cancel", "--address", server.address(),
          "--workflow-id", "cancel-3").redirectErrorStream(true).start();
      assertEquals(0, temporal.waitFor(), new String(temporal.getInputStream().readAllBytes()));
      gate3.open(2);
      Eventually.get(() -> runs().describe("cancel-3").getStatus() == io.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED ? true : null,
          Duration.ofSeconds(120), "cancel-3 cancelled");
      Progress p = runs().progress("cancel-3");
      assertEquals("cancelled", p.outcome());
      assertEquals("Cancelled: committed what I had.", p.summary());
      assertTrue(GitRepos.git(tmp.resolve("repo-cancel-3"), "log", "-1", "--format=%s", "marathon/cancel-3").startsWith("marathon: "),
          "the wrap-up was committed");
      Launcher.Result status = cli("status", "cancel-3", "--json");
      assertTrue(status.out().contains("\"status\":\"canceled\"") && status.out().contains("Cancelled: committed what I had."), status.toString());
    }
  }
}
