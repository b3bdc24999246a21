package dev.marathon.bench;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.call;
import static dev.marathon.testing.ScriptedModel.finish;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Reply;
import java.util.Map;

/**
 * The benchmark's agent: four tool calls a turn (write, read, edit a note; run a command), until
 * {@code toolCalls} calls are made, then finish. Notes rotate over 50 files, like real edits.
 */
public final class BenchScript implements ScriptedModel.Script {
  public static final int CALLS_PER_TURN = 4;
  private final int turns;
  /** Extra lines in every note, so file contents and outputs have a realistic size. */
  private final String padding;

  public BenchScript(int toolCalls) {
    this(toolCalls, 0);
  }

  /** @param noteBytes about how large each note is (its contents travel in write_file and read_file) */
  public BenchScript(int toolCalls, int noteBytes) {
    this.turns = toolCalls / CALLS_PER_TURN;
    StringBuilder p = new StringBuilder();
    for (int i = 0; p.length() < noteBytes; i++) p.append("line ").append(i).append(": some text of a realistic width\n");
    this.padding = p.toString();
  }

  public int turns() {
    return turns;
  }

  @Override
  public Reply reply(int turn, JsonNode request) {
    String r = "Turn " + turn + ": update note " + (turn % 50) + " and check it.";
    if (turn > turns) return Reply.tools(r, finish("made " + (turns * CALLS_PER_TURN) + " tool calls"));
    String note = "notes/n" + (turn % 50) + ".txt";
    return Reply.tools(r,
        call("write_file", Map.of("path", note, "content", "note " + turn + "\nstatus: draft\n" + padding)),
        call("read_file", Map.of("path", note)),
        call("edit_file", Map.of("path", note, "old_string", "draft", "new_string", "done " + turn)),
        bash("wc -l " + note));
  }

  /** The tool call a turn's request proves was completed: calls of earlier turns. */
  public static int callsDoneBefore(int turn) {
    return (turn - 1) * CALLS_PER_TURN;
  }
}
