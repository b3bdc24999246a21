package dev.marathon.workflows;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.finish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.testing.Eventually;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.TestRuns;
import dev.marathon.testing.WorkflowHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A damaged checkpoint object is never trusted and never retried: the run pauses at once, naming the file. */
class CorruptStoreTest {
  @TempDir Path tmp;

  @Test
  void aCorruptCheckpointPausesTheRunAtOnceWithItsPath() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("a.txt", "a\n"));
    try (ScriptedModel model = new ScriptedModel((turn, req) -> turn < 5 ? Reply.tools("t" + turn, bash("echo " + turn)) : Reply.tools("d", finish("ok")));
        WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      AgentWorkflow run = h.start(TestRuns.state("corrupt-1", repo, model.baseUrl(), "Meet a bad disk", RunOptions.DEFAULTS,
          new Budget(2, null, null, null)));
      Eventually.get(() -> run.progress().phase().equals("paused") ? true : null);
      String ref = run.state().conversation.observations.get(0).ref(); // the last tool result, which the next turn reads from disk
      Path object = tmp.resolve("home/store/objects").resolve(ref.substring(0, 2)).resolve(ref.substring(2));
      Files.writeString(object, "exit code: 0\nsomething else"); // the disk changed it: it no longer hashes to its ref
      int asked = model.requests().size();
      run.budget(new Budget(10, null, null, null));
      Progress p = Eventually.get(() -> {
        Progress now = run.progress();
        return now.pause() != null && now.pause().cause() == Pause.Cause.STORE_ERROR ? now : null;
      });
      assertTrue(p.pause().reason().contains(ref) && p.pause().reason().contains(object.toString()), p.pause().reason());
      assertEquals(asked, model.requests().size(), "nothing was sent to the model with a damaged result");
      assertEquals(0, h.env.getWorkflowClient().getWorkflowServiceStubs().blockingStub()
          .describeWorkflowExecution(io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest.newBuilder()
              .setNamespace("default").setExecution(io.temporal.api.common.v1.WorkflowExecution.newBuilder().setWorkflowId("corrupt-1"))
              .build()).getPendingActivitiesCount(), "no activity left retrying");
    }
  }
}
