package dev.marathon.cli;

import dev.marathon.runtime.Connection;
import dev.marathon.runtime.MarathonHome;
import dev.marathon.runtime.WorkerHost;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "worker", mixinStandardHelpOptions = true,
    description = {"Run a long-lived worker for every run on the server.",
        "Starting one resumes every run interrupted by a crash. Run several to scale out; they must",
        "share the checkpoint store and workspaces (MARATHON_STORE, MARATHON_WORKSPACES)."})
final class WorkerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ConnectionOptions connection;
  @Mixin WorkerPolicyOptions allow;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    MarathonHome home = MarathonHome.fromEnvironment();
    try (Connection conn = connection.open(true, err)) {
      if (!conn.durable()) {
        throw new BadInputException("a separate worker needs a Temporal server; start one with ./marathon server"
            + " (install the Temporal CLI with scripts/install-temporal-cli)");
      }
      CountDownLatch stopped = new CountDownLatch(1);
      try (WorkerHost worker = WorkerHost.start(conn.client(), home, allow.policy(home))) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          worker.close();
          stopped.countDown();
        }));
        err.println("[marathon] worker polling task queue '" + WorkerHost.TASK_QUEUE + "' at " + connection.address()
            + " (namespace " + conn.namespace() + "); store " + home.storeDescription() + ", workspaces " + home.workspaces());
        err.flush();
        stopped.await();
      }
    }
    return ExitCodes.OK;
  }
}
