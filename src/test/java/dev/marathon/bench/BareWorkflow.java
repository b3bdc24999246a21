package dev.marathon.bench;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;

/** The yardstick: a bare workflow running {@code n} sequential no-op activities. */
@WorkflowInterface
public interface BareWorkflow {
  String TASK_QUEUE = "bench-bare";

  @WorkflowMethod
  int run(int n, int done);

  @ActivityInterface
  interface NoOp {
    String step(String payload);
  }

  final class NoOpImpl implements NoOp {
    @Override
    public String step(String payload) {
      return payload;
    }
  }

  /** Continues as new when Temporal suggests it, as Marathon does. */
  final class Impl implements BareWorkflow {
    @Override
    public int run(int n, int done) {
      NoOp noop = Workflow.newActivityStub(NoOp.class,
          ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofMinutes(1)).build());
      for (int i = done; i < n; i++) {
        noop.step("step " + i);
        if (Workflow.getInfo().isContinueAsNewSuggested() && i + 1 < n) {
          Workflow.continueAsNew(n, i + 1);
        }
      }
      return n;
    }
  }
}
