package dev.marathon.replay;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.call;
import static dev.marathon.testing.ScriptedModel.finish;

import dev.marathon.runtime.Connection;
import dev.marathon.runtime.HistoryChain;
import dev.marathon.runtime.MarathonHome;
import dev.marathon.runtime.Runs;
import dev.marathon.runtime.WorkerHost;
import dev.marathon.testing.DevServerFixture;
import dev.marathon.testing.Eventually;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.TestRuns;
import dev.marathon.workflows.Budget;
import dev.marathon.workflows.RunOptions;
import dev.marathon.workflows.RunSpec;
import dev.marathon.workflows.RunState;
import dev.marathon.workflows.Swarm;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Records a swarm's histories (a coordinator, two sub-agents, one conflicting merge) from the real
 * dev server into {@code src/test/resources/histories/swarm-*.json}, for {@link ReplayTest}. Kept
 * apart from {@link CaptureHistories} so the histories recorded by earlier versions stay as they
 * were. Run: {@code scripts/capture-histories --swarm}.
 */
public final class CaptureSwarmHistories {

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "src/test/resources/histories");
    Path tmp = Files.createTempDirectory("capture-swarm");
    try (DevServerFixture server = new DevServerFixture(Files.createDirectories(tmp.resolve("server")), "--headless").start();
        Connection conn = server.connect(tmp.resolve("home"));
        WorkerHost worker = WorkerHost.start(conn.client(), new MarathonHome(tmp.resolve("home")));
        ScriptedModel model = new ScriptedModel((turn, req) -> {
          String task = ScriptedModel.task(req);
          for (String who : List.of("left", "right")) {
            if (task.contains("Say " + who)) {
              return turn == 1 ? Reply.tools(who, bash("sed -i 's/draft/" + who + "/' README.md && git commit -qam " + who))
                  : Reply.tools("done", finish("README says " + who));
            }
          }
          return switch (turn) {
            case 1 -> Reply.tools("split", call("spawn_agents", Map.of("agents", List.of(
                Map.of("title", "Left", "task", "Say left in README.md."), Map.of("title", "Right", "task", "Say right in README.md.")))));
            case 2 -> Reply.tools("status", call("agent_status", Map.of()));
            case 3 -> Reply.tools("collect", call("wait_agents", Map.of()));
            case 4 -> Reply.tools("resolve", call("write_file", Map.of("path", "README.md", "content", "status: both\n")));
            default -> Reply.tools("done", finish("merged and resolved"));
          };
        })) {
      Runs runs = new Runs(conn.client());
      Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "status: draft\n"));
      RunState state = TestRuns.state("swarm", repo, TestRuns.model(model.baseUrl(), 200_000), "Capture a swarm", RunOptions.DEFAULTS,
          Budget.UNLIMITED);
      state.spec = new RunSpec("swarm", state.spec.title(), state.spec.repo(), state.spec.branch(), state.spec.model(),
          state.spec.options(), new Swarm(300, 2), null);
      runs.start(state);
      Files.createDirectories(out);
      for (String id : List.of("swarm", "swarm.a1", "swarm.a2")) {
        Eventually.get(() -> runs.describe(id).getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED ? true : null,
            Duration.ofSeconds(180), id + " completing");
        var chain = HistoryChain.fetch(conn.client(), id);
        for (int i = 0; i < chain.size(); i++) {
          String name = id.replace('.', '-') + (chain.size() > 1 ? "-run" + (i + 1) : "");
          Files.writeString(out.resolve(name + ".json"), chain.get(i).toJson(true));
        }
      }
    }
    System.out.println("swarm histories written to " + out.toAbsolutePath());
  }

  private CaptureSwarmHistories() {}
}
