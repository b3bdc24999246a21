package dev.marathon.cli;

import dev.marathon.activities.store.Conversations;
import dev.marathon.runtime.Connection;
import dev.marathon.runtime.HttpRunView;
import dev.marathon.activities.workspace.Workspace;
import dev.marathon.activities.workspace.AllowedOrigins;
import dev.marathon.activities.workspace.Workspaces;
import dev.marathon.runtime.MarathonHome;
import dev.marathon.runtime.RunAt;
import dev.marathon.runtime.RunInspector;
import dev.marathon.runtime.RunTranscript;
import dev.marathon.runtime.Runs;
import dev.marathon.workflows.RunState;
import java.io.PrintWriter;
import java.util.Optional;

/**
 * A run as the server and the checkpoint store hold it: its carried state and its transcript. What
 * {@code log}, {@code export} and {@code diff} read, and {@code fork} and {@code rewind} start from.
 */
record RecordedRun(String id, RunState state, RunTranscript transcript, MarathonHome home, Conversations conversations)
    implements AutoCloseable {

  /** Lets the store's connections go (a shared store keeps some; {@code ./marathon mcp} reads many runs in one process). */
  @Override
  public void close() {
    conversations.store().close();
  }

  static RecordedRun read(Connection conn, String id) {
    return of(id, new RunInspector(new Runs(conn.client())).state(id));
  }

  /** As {@link #read(Connection, String)}; an ended run over the server's HTTP API when it is there (no gRPC to start). */
  static RecordedRun read(ConnectionOptions connection, String id, PrintWriter err) {
    Optional<RunState> ended = connection.httpApi()
        .flatMap(api -> new HttpRunView(api, connection.namespace).endedState(id));
    if (ended.isPresent()) return of(id, ended.get());
    try (Connection conn = connection.open(false, err)) {
      return read(conn, id);
    }
  }

  private static RecordedRun of(String id, RunState state) {
    MarathonHome home = MarathonHome.fromEnvironment();
    if (state == null) throw new BadInputException("run " + id + " cannot be read: no worker could replay its state");
    if (state.conversation.contextRef == null) throw new BadInputException("run " + id + " has not begun yet (no turn to read)");
    Conversations conversations = new Conversations(home.openStore(), 4);
    return new RecordedRun(id, state, RunTranscript.read(conversations, state.conversation.contextRef), home, conversations);
  }

  /**
   * The run's workspace on this machine (its snapshots, and its checkout while it runs); with a
   * shared store, snapshots this machine never saw come from the store.
   */
  Workspace workspace() {
    return new Workspaces(home.workspaces(), java.util.List.of(), conversations.store(), AllowedOrigins.fromEnvironment()).get(state.spec.workspaceKey());
  }

  /** The run right after turn {@code n}; a turn outside its range is bad input. */
  RunAt at(int n) {
    try {
      return RunAt.of(transcript, n, state, id);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(e.getMessage());
    }
  }

  /** The turns {@code a..b} (both inclusive; {@code A..}, {@code ..B} and {@code N} too), checked against the run's. */
  int[] range(String turns) {
    int last = transcript.lastTurn();
    int[] r = turns(turns, last);
    if (turns != null && (r[0] > last || r[1] > last)) throw new BadInputException("--turns " + turns + " is outside run " + id + "'s turns 1.." + last);
    return r;
  }

  /** The form of {@code --turns}, checked before any run is read: {@code 1 <= A <= B}; B is {@code last} when left
   * out. */
  static int[] turns(String turns, int last) {
    if (turns == null) return new int[] {1, last};
    String[] parts = turns.contains("..") ? turns.split("\\.\\.", -1) : new String[] {turns, turns};
    try {
      int a = parts[0].isBlank() ? 1 : Integer.parseInt(parts[0].strip());
      int b = parts[1].isBlank() ? last : Integer.parseInt(parts[1].strip());
      if (parts.length != 2 || turns.isBlank() || a < 1 || !parts[1].isBlank() && a > b) throw new NumberFormatException();
      return new int[] {a, b};
    } catch (NumberFormatException e) {
      throw new BadInputException("--turns takes A..B, A.., ..B or N (turn numbers from 1, A <= B), got '" + turns + "'");
    }
  }
}
