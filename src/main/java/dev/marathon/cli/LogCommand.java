package dev.marathon.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.marathon.activities.Json;
import dev.marathon.activities.store.Message;
import dev.marathon.runtime.RunTranscript;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "log", mixinStandardHelpOptions = true, description = {"What the agent did and thought, turn by turn.",
    "From the checkpoint store: per turn the reasoning, the reply, every tool call with its arguments and",
    "result, operator messages, notices and compactions; across continue-as-new, as one story. Results are",
    "cut for the terminal; --json prints them whole (the format ./marathon export writes)."})
final class LogCommand implements Callable<Integer> {
  /** A tool result or argument longer than this is cut in the terminal view. */
  static final int CUT = 600;

  @Spec CommandSpec spec;
  @Mixin RunIdArgument run;

  @Option(names = "--turns", paramLabel = "A..B", description = "Only these turns (A..B, A.., ..B or N).")
  String turns;

  @Option(names = "--json", description = "Print a JSON array, one object per turn, nothing cut.")
  boolean json;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() throws Exception {
    RecordedRun.turns(turns, Integer.MAX_VALUE); // the form, before the run is read
    try (RecordedRun r = RecordedRun.read(connection, run.value, spec.commandLine().getErr())) {
      int[] range = r.range(turns);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        ArrayNode array = Json.MAPPER.createArrayNode();
        for (RunTranscript.Turn t : r.transcript().turns()) {
          if (t.number() >= range[0] && t.number() <= range[1]) array.add(Trajectory.turn(r.transcript(), t));
        }
        out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(array));
      } else {
        if (range[0] == 1) out.println(heading(run.value, r.transcript()) + "\n\n" + cut(r.transcript().taskText(), 2000) + "\n");
        for (RunTranscript.Turn t : r.transcript().turns()) {
          if (t.number() >= range[0] && t.number() <= range[1]) print(out, r.transcript(), t);
        }
      }
      out.flush();
      return ExitCodes.OK;
    }
  }

  private static void print(PrintWriter out, RunTranscript transcript, RunTranscript.Turn t) {
    if (t.compaction() != null) {
      out.println("── compacted before turn " + t.number() + " (the original is checkpoint " + t.compaction().original() + "):");
      out.println(indent(t.compaction().summary() == null ? "(old tool results masked; nothing summarized)" : cut(t.compaction().summary(), CUT)));
    }
    for (Message m : t.userMessages()) {
      out.println((m.content().startsWith("[marathon]") ? "notice: " : "operator: ") + cut(m.content().replaceFirst("^Message from the operator: ", ""), CUT));
    }
    out.printf(Locale.ROOT, "── turn %d%s%n", t.number(), t.meta() == null ? ""
        : String.format(Locale.ROOT, " · %,d+%,d tokens · $%.4f · %.1f s", t.meta().promptTokens(), t.meta().completionTokens(),
            t.meta().costUsd(), t.meta().modelMillis() / 1000.0));
    Message reply = t.reply();
    if (reply == null) return;
    if (reply.reasoning() != null && !reply.reasoning().isBlank()) out.println("thinking: " + indentRest(cut(reply.reasoning(), 4 * CUT)));
    if (reply.content() != null && !reply.content().isBlank()) out.println("reply: " + indentRest(cut(reply.content(), 4 * CUT)));
    RunTranscript.Turn next = transcript.turn(t.number() + 1);
    for (Message.Call c : reply.calls()) {
      out.println("→ " + c.name() + " " + cut(c.arguments(), CUT));
      Message result = next == null ? null : next.toolResults().stream().filter(m -> c.id().equals(m.toolCallId())).findFirst().orElse(null);
      if (result != null) out.println(indent(cut(result.content(), CUT)));
    }
    out.println();
  }

  /** {@code # ID}, and the title when it is not the task's own first line (a {@code --title}): each said once. */
  static String heading(String id, RunTranscript transcript) {
    String title = transcript.taskTitle();
    if (title == null || title.isBlank()) return "# " + id;
    // A title made from the first line is that line in one line, cut with an ellipsis past 100 characters.
    String firstLine = transcript.taskText().strip().lines().findFirst().orElse("").strip().replaceAll("\\s+", " ");
    String shown = title.endsWith("…") ? title.substring(0, title.length() - 1) : title;
    return "# " + id + (firstLine.startsWith(shown) ? "" : ": " + title);
  }

  static String cut(String s, int max) {
    if (s == null) return "";
    return s.length() <= max ? s : s.substring(0, max) + "… [" + (s.length() - max) + " more characters: --json]";
  }

  private static String indent(String s) {
    return "    " + s.replace("\n", "\n    ");
  }

  private static String indentRest(String s) {
    return s.replace("\n", "\n    ");
  }
}
