package dev.marathon.workflows;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.marathon.workflows.api.CreateRunInput;
import dev.marathon.workflows.api.KeepInput;
import dev.marathon.workflows.api.SpawnedFrom;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a run needs to go on, and nothing large: the one object carried across
 * continue-as-new (and returned by the {@code state} query, for debugging). Conversation, tool
 * output and file contents live in the checkpoint store; this holds their refs. It is read in
 * parts: where the run is (turn, workspace, plan), {@link Spending}, {@link Conversation}, the
 * {@link TurnCalls} in progress, {@link SwarmTies}, and the {@link Lifecycle}.
 *
 * <p>Mutable on purpose (like the samples' long-running workflow state): only the workflow thread
 * touches it, and one object is simpler to carry than a chain of copies.
 */
public final class RunState {
  public RunSpec spec;
  /** The task text, kept only until the run has begun; then it is in the first checkpoint. */
  public String task;
  /** A sub-agent's origin, kept only until it has begun (then its task is in its first checkpoint). */
  public SpawnedFrom spawnedFrom;
  /** A fork's origin, kept only until its workspace exists. */
  public CreateRunInput.ForkedFrom forkedFrom;
  /** What a rewind went back over, to be kept on a branch before the run goes on; then null. */
  public KeepInput toKeep;

  /** Model turns completed. */
  public int turn;
  /** Tool calls completed, of every kind. */
  public int toolCalls;
  /** Workspace snapshot every next tool call starts from. */
  public String workspaceRef;
  public List<PlanStep> plan = new ArrayList<>();
  /** The MCP tools the run was offered when it began ({@code McpTools.ref}); null when it has none. */
  public String mcpToolsRef;

  // The parts are unwrapped: the JSON keeps their fields at the top level, where runs in flight,
  // the recorded histories and the Web UI have them.
  @JsonUnwrapped public Spending spending = new Spending();
  @JsonUnwrapped public Conversation conversation = new Conversation();
  /** The calls of the turn in progress. */
  @JsonUnwrapped public TurnCalls calls = new TurnCalls();
  @JsonUnwrapped public SwarmTies swarm = new SwarmTies();
  /** Who was told what; null in runs started before notifications existed, until {@link #migrated}. */
  public Notifications notifications = new Notifications();

  /** Running, paused, wrapping up or ended: see {@link Lifecycle}. */
  public Lifecycle lifecycle = Lifecycle.RUNNING;
  /** The agent's final summary (or the reason the run ended without one). */
  public String summary;
  public StuckDetector stuck = new StuckDetector();
  /** Turns in a row in which the model called no tool. */
  public int turnsWithoutTools;

  /** The last {@link #RECENT} actions, newest last: what followers and the Web UI show. */
  public List<Action> recent = new ArrayList<>();
  public static final int RECENT = 20;
  /** Actions recorded so far (tool calls and replies without one): {@link Action#seq} counts them. */
  public int actionsRecorded;
  /** Runs in the continue-as-new chain so far, this one included. */
  public int runsInChain = 1;

  // Before commit cc3df7c of 2026-11-30 a run carried its lifecycle as three nullable fields; a
  // state written at continue-as-new then is read into these and turned into a Lifecycle by
  // migrated() (LegacyStateTest).
  @JsonProperty(value = "pause", access = JsonProperty.Access.WRITE_ONLY)
  private Pause legacyPause;
  @JsonProperty(value = "stop", access = JsonProperty.Access.WRITE_ONLY)
  private Stop legacyStop;
  @JsonProperty(value = "outcome", access = JsonProperty.Access.WRITE_ONLY)
  private RunOutcome legacyOutcome;
  // Before commit 245cbe9 of 2026-12-03 the first pending call's progress was two flags (see
  // PendingCall). They are read into it, and written from it too, so that a worker of that
  // version still running beside this one during an upgrade reads a continued run right.
  private boolean legacyPendingCallFailed;
  private boolean legacyPendingCallStarted;

  @JsonProperty("pendingCallFailed")
  boolean pendingCallFailed() {
    return calls.first instanceof PendingCall.Broken;
  }

  @JsonProperty("pendingCallFailed")
  void pendingCallFailed(boolean failed) {
    legacyPendingCallFailed = failed;
  }

  @JsonProperty("pendingCallStarted")
  boolean pendingCallStarted() {
    return !(calls.first instanceof PendingCall.NotStarted);
  }

  @JsonProperty("pendingCallStarted")
  void pendingCallStarted(boolean started) {
    legacyPendingCallStarted = started;
  }

  /** A fresh run of {@code spec} with {@code task}. */
  public static RunState start(RunSpec spec, String task, Budget budget) {
    RunState s = new RunState();
    s.spec = spec;
    s.task = task;
    s.spending.budget = budget == null ? Budget.UNLIMITED : budget;
    return s;
  }

  /** Records what the agent did (a tool call, or a reply without one). */
  public void recordAction(String line) {
    recent.add(new Action(++actionsRecorded, turn, line));
    if (recent.size() > RECENT) recent.remove(0);
  }

  /** The context window compaction aims under: the configured one, or less when the server says so. */
  public long contextWindow() {
    return spec.model().windowWith(conversation.contextWindow);
  }

  /** Display line of the last tool call, e.g. {@code bash: mvn -q test → exit 0}, or null. */
  public String lastTool() {
    return recent.isEmpty() ? null : recent.get(recent.size() - 1).line();
  }

  /** The workspace and the conversation exist (a fork starts with a conversation and no workspace yet). */
  public boolean begun() {
    return conversation.contextRef != null && workspaceRef != null;
  }

  /**
   * Puts the run back to right after turn {@code at.turn()}'s tool results: the one way "the state
   * at turn N" is made, by the rewind update and by {@code RunAt} for fork and the CLI. The turn in
   * progress, the notices and the stuck streak belong to the turns given up, and go.
   */
  public void goBackTo(Rewind at) {
    conversation.contextRef = at.contextRef();
    conversation.observations = new ArrayList<>(at.observations());
    workspaceRef = at.workspaceRef();
    turn = at.turn();
    plan = new ArrayList<>(at.plan());
    toolCalls = at.toolCalls();
    calls.clear();
    conversation.notices.clear();
    turnsWithoutTools = 0;
    stuck.reset();
  }

  /** This state in today's shape, whichever version wrote it. */
  public RunState migrated() {
    if (legacyPause != null || legacyStop != null || legacyOutcome != null) {
      lifecycle = Lifecycle.fromLegacy(legacyPause, legacyStop, legacyOutcome);
      legacyPause = null;
      legacyStop = null;
      legacyOutcome = null;
    }
    if (lifecycle == null) lifecycle = Lifecycle.RUNNING;
    if (actionsRecorded == 0 && !recent.isEmpty()) actionsRecorded = recent.get(recent.size() - 1).seq();
    if (calls == null) calls = new TurnCalls();
    calls.migrated(legacyPendingCallFailed, legacyPendingCallStarted);
    legacyPendingCallFailed = false;
    legacyPendingCallStarted = false;
    if (swarm.agents == null) swarm.agents = new ArrayList<>();
    if (notifications == null) notifications = new Notifications();
    return this;
  }
}
