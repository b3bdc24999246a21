package dev.marathon.cli;

import dev.marathon.activities.model.local.LocalModelServer;
import dev.marathon.activities.model.local.LocalWeights;
import dev.marathon.runtime.MarathonHome;
import dev.marathon.runtime.ModelPresets;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "model", mixinStandardHelpOptions = true, description = {"The local model: install its weights, or serve it.",
    "install: put SmolLM2-135M-Instruct (98 MB) into $MARATHON_HOME/models (once; idempotent).",
    "serve:   serve it on localhost with an OpenAI-compatible API, in the foreground."})
final class ModelCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "install|serve")
  String action;

  @Option(names = "--port", description = "Port to serve on (default: the local preset's, ${DEFAULT-VALUE}).", defaultValue = "" + ModelPresets.LOCAL_PORT)
  int port;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    MarathonHome home = MarathonHome.fromEnvironment();
    switch (action) {
      case "install" -> {
        spec.commandLine().getOut().println(LocalWeights.install(home.models(), line -> {
          err.println("[marathon] " + line);
          err.flush();
        }));
        return ExitCodes.OK;
      }
      case "serve" -> {
        OptionChecks.between("--port", port, 1, 65535);
        try (LocalModelServer server = LocalModelServer.start(port, home.models(), line -> {
          err.println("[marathon] " + line);
          err.flush();
        })) {
          err.println("[marathon] serving " + LocalWeights.MODEL + " at " + server.baseUrl() + " (Ctrl-C stops it)");
          err.flush();
          CountDownLatch stopped = new CountDownLatch(1);
          Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
          stopped.await();
        }
        return ExitCodes.OK;
      }
      default -> throw new BadInputException("model takes install or serve, not '" + action + "'");
    }
  }
}
