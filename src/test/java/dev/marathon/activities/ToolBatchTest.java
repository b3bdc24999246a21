package dev.marathon.activities;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.call;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.marathon.activities.model.ModelClient;
import dev.marathon.activities.sandbox.Sandboxes;
import dev.marathon.activities.store.CheckpointStore;
import dev.marathon.activities.store.Conversations;
import dev.marathon.activities.tools.ToolCatalog;
import dev.marathon.activities.workspace.Workspaces;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.TestRuns;
import dev.marathon.workflows.RunState;
import dev.marathon.workflows.api.CreateRunInput;
import dev.marathon.workflows.api.CreateRunResult;
import dev.marathon.workflows.api.ThinkInput;
import dev.marathon.workflows.api.ThinkResult;
import dev.marathon.workflows.api.ToolActivities;
import dev.marathon.workflows.api.ToolBatch;
import dev.marathon.workflows.api.ToolBatchResult;
import dev.marathon.workflows.api.ToolCall;
import dev.marathon.workflows.api.WorkspaceKey;
import io.temporal.activity.ActivityOptions;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A turn's workspace calls run in one activity, each with its own snapshot and result, and an
 * attempt after a crash goes on after the last call it recorded: finished calls are not run again,
 * and the effects of the one that did not finish are undone before it runs again.
 */
class ToolBatchTest {
  @TempDir Path tmp;

  @Test
  void aRetriedBatchGoesOnAfterItsLastRecordedCall() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "# batch\n"));
    Path home = tmp.resolve("home");
    CheckpointStore store = CheckpointStore.open(home.resolve("store"));
    Conversations conversations = new Conversations(store, 4);
    ToolCatalog catalog = new ToolCatalog();
    Workspaces workspaces = new Workspaces(home.resolve("workspaces"));
    TestActivityEnvironment env = TestActivityEnvironment.newInstance();
    try (ScriptedModel model = new ScriptedModel((turn, req) -> Reply.tools("three calls",
        call("write_file", Map.of("path", "a.txt", "content", "alpha\n")),
        bash("echo ran >> log.txt && echo ran >> ~/outside.txt"), // the run's home: no snapshot undoes it
        call("write_file", Map.of("path", "b.txt", "content", "beta\n"))))) {
      RunState state = TestRuns.state("batch-1", repo, model.baseUrl(), "Write two files");
      WorkspaceKey key = new WorkspaceKey("batch-1", repo.toString(), state.spec.branch());
      CreateRunResult begun = new WorkspaceActivitiesImpl(workspaces, conversations)
          .createWorkspaceAndConversation(new CreateRunInput(key, state.spec.title(), state.task));
      ThinkResult thought = new ModelActivitiesImpl(conversations, new ModelClient(Duration.ofMinutes(1)), catalog, Prices.load(null),
          Secrets.fromEnvironment(), new dev.marathon.activities.model.local.LocalModels(home.resolve("models")),
          dev.marathon.runtime.WorkerHost.policy(new dev.marathon.runtime.MarathonHome(home)).keys())
          .think(new ThinkInput("batch-1", 1, begun.contextRef(), List.of(), List.of(), state.spec.model()));
      List<ToolCall.Workspace> calls = thought.calls().stream().map(c -> (ToolCall.Workspace) c).toList();
      ToolBatch batch = new ToolBatch(key, thought.contextRef(), 1, 0, begun.workspaceRef(), calls, List.of(60, 60, 60), null, null, null);

      env.registerActivitiesImplementations(new ToolActivitiesImpl(workspaces, conversations, catalog, Secrets.fromEnvironment(),
          new Sandboxes(List.of(home), dev.marathon.runtime.WorkerHost.policy(new dev.marathon.runtime.MarathonHome(home)))));
      ToolActivities tools = env.newActivityStub(ToolActivities.class, ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofMinutes(1)).build());
      ToolBatchResult first = tools.executeAll(batch);
      assertEquals(3, first.results().size());
      Path checkout = home.resolve("workspaces/batch-1");
      assertEquals("ran\n", Files.readString(checkout.resolve("log.txt")));
      assertNotEquals(first.results().get(1).workspaceRef(), first.results().get(2).workspaceRef(), "each changing call has its own snapshot");

      // The worker died after the second call was recorded: the third call's effect is on disk, its result is not.
      Path record = home.resolve("workspaces/batch-1.marathon/tool-batch.json");
      ObjectNode progress = (ObjectNode) Json.MAPPER.readTree(record.toFile());
      ((ArrayNode) progress.get("results")).remove(2);
      Files.writeString(record, Json.MAPPER.writeValueAsString(progress));
      Files.writeString(checkout.resolve("b.txt"), "half-written by the dead attempt");
      Files.writeString(checkout.resolve("stray.txt"), "left by the dead attempt");

      ToolBatchResult again = tools.executeAll(batch);
      assertEquals(first.results(), again.results(), "the same results, the same snapshots");
      assertEquals("ran\n", Files.readString(checkout.resolve("log.txt")));
      assertEquals("ran\n", Files.readString(home.resolve("workspaces/batch-1.marathon/home/outside.txt")), "the bash call was not run again");
      assertEquals("beta\n", Files.readString(checkout.resolve("b.txt")));
      assertEquals(false, Files.exists(checkout.resolve("stray.txt")), "the dead attempt's effects were undone");
    } finally {
      env.close();
    }
  }
}
