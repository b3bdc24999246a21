package dev.marathon.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.marathon.activities.Json;
import dev.marathon.runtime.RunTranscript;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "export", mixinStandardHelpOptions = true, description = {"Write a run as one JSONL trajectory.",
    "A first line describing the run (task, model, branch), then one line per turn: reasoning, reply, tool",
    "calls with arguments and results, operator messages and notices, usage, timings, compactions. The",
    "format is documented in docs/operations.md."})
final class ExportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin RunIdArgument run;

  @Option(names = "--out", paramLabel = "FILE", description = "Where to write it (default: <id>.jsonl here; - for stdout).")
  String out;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() throws Exception {
    Path file = out == null || "-".equals(out) ? null : OptionChecks.fileToWrite("--out", out); // before the run is read
    try (RecordedRun r = RecordedRun.read(connection, run.value, spec.commandLine().getErr())) {
      ObjectNode head = Json.MAPPER.createObjectNode().put("run", r.id()).put("title", r.state().spec.title())
          .put("task", r.transcript().taskText()).put("model", r.state().spec.model().model())
          .put("provider", r.state().spec.model().provider()).put("branch", r.state().spec.branch()).put("repo", r.state().spec.repo())
          .put("turns", r.transcript().lastTurn()).put("format", "marathon-trajectory/1");
      StringBuilder lines = new StringBuilder(Json.MAPPER.writeValueAsString(head)).append('\n');
      for (RunTranscript.Turn t : r.transcript().turns()) lines.append(Json.MAPPER.writeValueAsString(Trajectory.turn(r.transcript(), t))).append('\n');
      if ("-".equals(out)) {
        spec.commandLine().getOut().print(lines);
        spec.commandLine().getOut().flush();
      } else {
        if (file == null) file = Path.of(r.id() + ".jsonl");
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
          w.write(lines.toString());
        }
        spec.commandLine().getErr().println("wrote " + r.transcript().turns().size() + " turns to " + file.toAbsolutePath());
        spec.commandLine().getOut().println(file.toAbsolutePath());
      }
      return ExitCodes.OK;
    }
  }
}
