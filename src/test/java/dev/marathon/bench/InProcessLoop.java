package dev.marathon.bench;

import dev.marathon.activities.ModelActivitiesImpl;
import dev.marathon.activities.Prices;
import dev.marathon.activities.Secrets;
import dev.marathon.activities.ToolActivitiesImpl;
import dev.marathon.activities.WorkspaceActivitiesImpl;
import dev.marathon.activities.model.ModelClient;
import dev.marathon.activities.store.CheckpointStore;
import dev.marathon.activities.store.Conversations;
import dev.marathon.activities.tools.ToolCatalog;
import dev.marathon.activities.workspace.Workspaces;
import dev.marathon.workflows.RunState;
import dev.marathon.workflows.api.CompactInput;
import dev.marathon.workflows.api.CompactResult;
import dev.marathon.workflows.api.CreateRunInput;
import dev.marathon.workflows.api.CreateRunResult;
import dev.marathon.workflows.api.Observation;
import dev.marathon.workflows.api.ThinkInput;
import dev.marathon.workflows.api.ThinkResult;
import dev.marathon.workflows.api.ToolCall;
import dev.marathon.workflows.api.ToolInput;
import dev.marathon.workflows.api.ToolResult;
import dev.marathon.workflows.api.WorkspaceKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The same agent loop with the same activity implementations, called directly: no Temporal. The
 * difference between this and a Marathon run is what durability costs per step. The tool activity
 * runs in Temporal's in-process test environment (no server): it reads its workflow id from the
 * activity's context, as a worker's sandbox must.
 */
final class InProcessLoop {

  /** Runs {@code state} to the end; returns the number of tool calls made. */
  static int run(RunState state, Path home) {
    CheckpointStore store = CheckpointStore.open(home.resolve("store"));
    Conversations conversations = new Conversations(store, 16);
    ToolCatalog catalog = new ToolCatalog();
    Secrets secrets = Secrets.fromEnvironment();
    Workspaces workspaces = new Workspaces(home.resolve("workspaces"));
    ModelActivitiesImpl model = new ModelActivitiesImpl(conversations, new ModelClient(Duration.ofMinutes(5)), catalog, Prices.load(null), secrets,
        new dev.marathon.activities.model.local.LocalModels(home.resolve("models")),
        dev.marathon.runtime.WorkerHost.policy(new dev.marathon.runtime.MarathonHome(home)).keys());
    ToolActivitiesImpl toolsImpl = new ToolActivitiesImpl(workspaces, conversations, catalog, secrets,
        new dev.marathon.activities.sandbox.Sandboxes(List.of(home), dev.marathon.runtime.WorkerHost.policy(new dev.marathon.runtime.MarathonHome(home))));
    io.temporal.testing.TestActivityEnvironment activities = io.temporal.testing.TestActivityEnvironment.newInstance();
    activities.registerActivitiesImplementations(toolsImpl);
    dev.marathon.workflows.api.ToolActivities tools = activities.newActivityStub(dev.marathon.workflows.api.ToolActivities.class,
        io.temporal.activity.ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofMinutes(10)).build());
    try {
      return loop(state, model, tools, workspaces, conversations);
    } finally {
      activities.close();
    }
  }

  private static int loop(RunState state, ModelActivitiesImpl model, dev.marathon.workflows.api.ToolActivities tools, Workspaces workspaces,
      Conversations conversations) {
    WorkspaceKey key = state.spec.workspaceKey();
    CreateRunResult begun = new WorkspaceActivitiesImpl(workspaces, conversations)
        .createWorkspaceAndConversation(new CreateRunInput(key, state.spec.title(), state.task));
    String context = begun.contextRef();
    String workspace = begun.workspaceRef();
    long contextTokens = 0;
    List<Observation> observations = new ArrayList<>();
    int calls = 0;
    for (int turn = 1; ; turn++) {
      ThinkResult t = model.think(new ThinkInput(state.spec.runId(), turn, context, observations, List.of(), state.spec.model()));
      context = t.contextRef();
      contextTokens = t.usage().contextTokens();
      observations = new ArrayList<>();
      for (ToolCall call : t.calls()) {
        calls++;
        if (call instanceof ToolCall.Finish) return calls;
        if (call instanceof ToolCall.Workspace w) {
          ToolResult r = tools.execute(new ToolInput(key, context, turn + "." + (observations.size() + 1), workspace, w, 600,
              state.spec.options().containment(), state.spec.model().apiKeyEnv(), null));
          workspace = r.workspaceRef();
          observations.add(Observation.stored(w.id(), w.tool(), r.observationRef(), r.observationChars()));
        } else {
          observations.add(Observation.inline(call.id(), call.tool(), "ok"));
        }
      }
      long window = state.spec.model().contextWindow();
      if (contextTokens * 100 >= window * state.spec.options().compactAtPercent()) {
        CompactResult c = model.compact(new CompactInput(state.spec.runId(), turn, context, window / 2, 8, List.of(), state.spec.model()));
        context = c.contextRef();
      }
    }
  }

  private InProcessLoop() {}
}
