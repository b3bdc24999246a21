package dev.marathon.replay;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.call;
import static dev.marathon.testing.ScriptedModel.finish;
import static dev.marathon.testing.ScriptedModel.newUserText;

import dev.marathon.runtime.Connection;
import dev.marathon.runtime.HistoryChain;
import dev.marathon.runtime.MarathonHome;
import dev.marathon.runtime.Runs;
import dev.marathon.runtime.WorkerHost;
import dev.marathon.testing.DevServerFixture;
import dev.marathon.testing.Eventually;
import dev.marathon.testing.Gate;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.TestRuns;
import dev.marathon.workflows.AgentWorkflow;
import dev.marathon.workflows.Budget;
import dev.marathon.workflows.McpServer;
import dev.marathon.workflows.NotifyTarget;
import dev.marathon.workflows.RunOptions;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.common.WorkflowExecutionHistory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.Map;

/**
 * Records real histories from the real dev server into {@code src/test/resources/histories/},
 * covering every path of the workflow: tools, plan, finish, continue-as-new, steering, pause,
 * budget, compaction, cancel. {@link ReplayTest} replays them against the current code, so a
 * change that would break runs in flight fails the build. Run: {@code scripts/capture-histories}.
 */
public final class CaptureHistories {

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "src/test/resources/histories");
    // Names after the directory capture only those: new histories are added without re-recording the old.
    Set<String> only = Set.copyOf(Arrays.asList(args).subList(Math.min(1, args.length), args.length));
    Path tmp = Files.createTempDirectory("capture");
    // The "notify" history's endpoints: a command that fails for its first two events (retried), and one that is not there (refused).
    Files.createDirectories(tmp.resolve("home"));
    Files.writeString(tmp.resolve("home/config.json"), "{\"notifyEndpoints\": {\"desk\": {\"command\": [\"sh\", \"-c\","
        + " \"f=" + tmp.resolve("notified") + "; echo x >> $f; test $(wc -l < $f) -gt 4\"]}}}");
    try (DevServerFixture server = new DevServerFixture(Files.createDirectories(tmp.resolve("server")), "--headless").start();
        Connection conn = server.connect(tmp.resolve("home"));
        WorkerHost worker = WorkerHost.start(conn.client(), new MarathonHome(tmp.resolve("home")))) {
      Runs runs = new Runs(conn.client());
      Capture c = new Capture(runs, conn, tmp, out, only);

      c.run("tools-and-plan", RunOptions.DEFAULTS, Budget.UNLIMITED, (turn, req) -> switch (turn) {
        case 1 -> Reply.tools("plan", call("update_plan", Map.of("steps", List.of(Map.of("step", "write", "status", "in_progress")))));
        case 2 -> Reply.tools("write", call("write_file", Map.of("path", "a.txt", "content", "a\n")), call("read_file", Map.of("path", "a.txt")));
        case 3 -> Reply.tools("edit", call("edit_file", Map.of("path", "a.txt", "old_string", "a", "new_string", "b")), call("nope", Map.of()));
        case 4 -> Reply.tools("list", call("list_files", Map.of()), call("grep", Map.of("pattern", "b")), bash("cat a.txt"));
        case 5 -> Reply.text("no tool", "I think I am done?");
        default -> Reply.tools("done", finish("wrote b"));
      }, id -> { });

      c.run("continue-as-new", new RunOptions(600, 3600, 10, 60, 80), Budget.UNLIMITED,
          (turn, req) -> turn >= 14 ? Reply.tools("done", finish("long")) : Reply.tools("t" + turn, bash("echo " + turn)), id -> { });

      Gate steerGate = new Gate((turn, req) -> turn >= 6 ? Reply.tools("done", finish("steered")) : Reply.tools("t" + turn, bash("echo " + turn))).close(2);
      c.run("steer-pause", RunOptions.DEFAULTS, Budget.UNLIMITED, steerGate, id -> {
        steerGate.awaitReached(2);
        AgentWorkflow wf = runs.typed(id);
        wf.steer("use the other approach");
        wf.pause("coffee");
        steerGate.open(2);
        Eventually.get(() -> "paused".equals(runs.progress(id).phase()) ? true : null);
        wf.unpause();
      });

      c.run("budget-finish", RunOptions.DEFAULTS, new Budget(3, null, null, null),
          (turn, req) -> newUserText(req).contains("asked you to finish") ? Reply.tools("report", finish("report"))
              : Reply.tools("t" + turn, bash("echo " + turn)), id -> {
            Eventually.get(() -> runs.progress(id).pause() != null ? true : null);
            runs.typed(id).budget(new Budget(5, null, null, null));
            Eventually.get(() -> runs.progress(id).pause() != null && runs.progress(id).turn() == 5 ? true : null);
            runs.typed(id).finish();
          });

      c.runWithWindow("compaction", 6_000,
          (turn, req) -> turn >= 16 ? Reply.tools("done", finish("compacted")) : Reply.tools("t" + turn + " " + "r".repeat(300), bash("seq 1 600; echo " + turn)));

      Gate cancelGate = new Gate((turn, req) -> newUserText(req).contains("operator cancelled")
          ? Reply.tools("bye", finish("cancelled report")) : Reply.tools("t" + turn, bash("echo " + turn))).close(2);
      c.run("cancel", RunOptions.DEFAULTS, Budget.UNLIMITED, cancelGate, id -> {
        cancelGate.awaitReached(2);
        runs.typed(id).cancel(false);
        cancelGate.open(2);
      });

      // Recorded after the loop was split (Thinking, Acting, PendingCall): a batch and then a single
      // call break on a vanished repository, the run pauses mid-turn with the call pending, and the
      // call is made again after the operator fixed it; a turn without a tool call comes after.
      Gate brokenGate = new Gate((turn, req) -> switch (turn) {
        case 1 -> Reply.tools("plan", call("update_plan", Map.of("steps", List.of(Map.of("step", "log", "status", "in_progress")))),
            bash("echo 1 >> log.txt"));
        case 2 -> Reply.tools("two", bash("echo 2 >> log.txt"), bash("echo 2b >> log.txt"));
        case 3 -> Reply.text("no tool", "Both lines are in.");
        default -> Reply.tools("done", finish("survived"));
      }).close(2);
      c.run("broken-workspace", RunOptions.DEFAULTS, Budget.UNLIMITED, brokenGate, id -> {
        brokenGate.awaitReached(2);
        Path repo = tmp.resolve("repo-" + id);
        Path away = tmp.resolve("away-" + id);
        Files.move(repo, away);
        brokenGate.open(2);
        Eventually.get(() -> runs.progress(id).pause() != null ? true : null);
        Files.move(away, repo);
        runs.typed(id).unpause();
      });

      // Recorded after notifications came: a run that crosses 80% of its turns, pauses on its budget
      // (both events retried), is raised, continues as new and finishes; one endpoint is refused.
      c.run("notify", new RunOptions(600, 3600, 10, 80, 80).withNotify(List.of(new NotifyTarget("desk", null), new NotifyTarget("gone", null))),
          new Budget(5, null, null, null),
          (turn, req) -> turn >= 12 ? Reply.tools("done", finish("notified")) : Reply.tools("t" + turn, bash("echo " + turn)), id -> {
            Eventually.get(() -> runs.progress(id).pause() != null ? true : null);
            runs.typed(id).budget(new Budget(20, null, null, null));
          });

      // Recorded after MCP servers came: the run lists its server's tools when it begins, calls one, and finishes.
      c.run("mcp-tools", RunOptions.DEFAULTS.withMcpServers(Map.of("everything", new McpServer("mcp-server-everything", List.of(), Map.of()))),
          Budget.UNLIMITED, (turn, req) -> turn == 1 ? Reply.tools("add", call("mcp__everything__get-sum", Map.of("a", 2, "b", 3)))
              : Reply.tools("done", finish("added")), id -> { });
    }
    System.out.println("histories written to " + out.toAbsolutePath());
  }

  interface Chaos {
    void act(String id) throws Exception;
  }

  record Capture(Runs runs, Connection conn, Path tmp, Path out, Set<String> only) {
    void run(String name, RunOptions options, Budget budget, ScriptedModel.Script script, Chaos chaos) throws Exception {
      if (!only.isEmpty() && !only.contains(name)) return;
      try (ScriptedModel model = new ScriptedModel(script)) {
        Path repo = GitRepos.create(tmp.resolve("repo-" + name), Map.of("README.md", "# " + name + "\n"));
        runs.start(TestRuns.state(name, repo, TestRuns.model(model.baseUrl(), 200_000), "Capture " + name, options, budget));
        chaos.act(name);
        save(name);
      }
    }

    void runWithWindow(String name, long window, ScriptedModel.Script script) throws Exception {
      if (!only.isEmpty() && !only.contains(name)) return;
      try (ScriptedModel model = new ScriptedModel(script)) {
        Path repo = GitRepos.create(tmp.resolve("repo-" + name), Map.of("README.md", "# " + name + "\n"));
        runs.start(TestRuns.state(name, repo, TestRuns.model(model.baseUrl(), window), "Capture " + name, RunOptions.DEFAULTS, Budget.UNLIMITED));
        save(name);
      }
    }

    void save(String name) throws Exception {
      Eventually.get(() -> runs.describe(name).getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED ? true : null,
          Duration.ofSeconds(180), name + " completing");
      List<WorkflowExecutionHistory> chain = HistoryChain.fetch(conn.client(), name);
      Files.createDirectories(out);
      for (int i = 0; i < chain.size(); i++) {
        Files.writeString(out.resolve(name + (chain.size() > 1 ? "-run" + (i + 1) : "") + ".json"), chain.get(i).toJson(true));
      }
      System.out.println(name + ": " + chain.size() + " run(s)");
    }
  }

  private CaptureHistories() {}
}
