package dev.marathon.workflows;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.marathon.workflows.api.CreateRunInput;
import dev.marathon.workflows.api.Observation;
import dev.marathon.workflows.api.SpawnedFrom;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a run needs to go on, and nothing large: the one object carried across
 * continue-as-new (and returned by the {@code state} query, for debugging). Conversation, tool
 * output and file contents live in the checkpoint store; this holds their refs.
 *
 * <p>Mutable on purpose (like the samples' long-running workflow state): only the workflow thread
 * touches it, and one object is simpler to carry than a chain of copies.
 */
public final class RunState {
  public RunSpec spec;
  /** The task text, kept only until the run has begun; then it is in the first checkpoint. */
  public String task;

  public Budget budget = Budget.UNLIMITED;
  public List<PlanStep> plan = new ArrayList<>();
  /** Model turns completed. */
  public int turn;
  /** Tool calls completed, of every kind. */
  public int toolCalls;

  public Usage usage = Usage.ZERO;
  /** Content hash of the conversation checkpoint the next turn continues. */
  public String contextRef;
  /** Workspace snapshot every next tool call starts from. */
  public String workspaceRef;

  /** Tool results the model has not seen yet (delivered with the next turn). */
  public List<Observation> observations = new ArrayList<>();
  /** Operator messages the model has not seen yet (delivered with the next turn). */
  public List<String> steering = new ArrayList<>();
  /** Runtime notices for the model at the next turn: wrap-up requests, warnings, nudges. */
  public List<String> notices = new ArrayList<>();

  /** Running, paused, wrapping up or ended: see {@link Lifecycle}. */
  public Lifecycle lifecycle = Lifecycle.RUNNING;
  /** The calls of the turn in progress (the JSON keeps their fields at the top level, as before). */
  @JsonUnwrapped public TurnCalls calls = new TurnCalls();
  /** Budget warnings already given, so each is given once (e.g. {@code turns}). */
  public List<String> warned = new ArrayList<>();

  public StuckDetector stuck = new StuckDetector();
  /** The last {@link #RECENT} actions, newest last: what followers and the Web UI show. */
  public List<Action> recent = new ArrayList<>();

  public static final int RECENT = 20;
  /** Number of times the conversation was compacted. */
  public int compactions;
  /** The context window the model's server says it gives, when smaller than the configured one; else null. */
  public Long contextWindow;
  /** Turns in a row in which the model called no tool. */
  public int turnsWithoutTools;
  /** Actions recorded so far (tool calls and replies without one): {@link Action#seq} counts them. */
  public int actionsRecorded;

  /** Workflow time (epoch millis) when the run chain began; budgets in hours count from it. */
  public long startedAtMillis;
  /** Runs in the continue-as-new chain so far, this one included. */
  public int runsInChain = 1;

  /** A sub-agent's origin, kept only until it has begun (then its task is in its first checkpoint). */
  public SpawnedFrom spawnedFrom;
  /** A fork's origin, kept only until its workspace exists. */
  public CreateRunInput.ForkedFrom forkedFrom;
  /** A coordinator's sub-agents, in the order they were spawned. */
  public List<SubAgent> agents = new ArrayList<>();
  /** The coordinator paused its running sub-agents because the swarm's budget was reached. */
  public boolean agentsPausedForBudget;
  /** A sub-agent told its coordinator that it paused (and owes it an "unpaused"). */
  public boolean coordinatorToldPaused;

  /** The agent's final summary (or the reason the run ended without one). */
  public String summary;

  // Before commit cc3df7c of 2026-11-30 a run carried its lifecycle as three nullable fields; a
  // state written at continue-as-new then is read into these and turned into a Lifecycle by
  // migrated() (LegacyStateTest).
  @JsonProperty(value = "pause", access = JsonProperty.Access.WRITE_ONLY)
  private Pause legacyPause;
  @JsonProperty(value = "stop", access = JsonProperty.Access.WRITE_ONLY)
  private Stop legacyStop;
  @JsonProperty(value = "outcome", access = JsonProperty.Access.WRITE_ONLY)
  private RunOutcome legacyOutcome;
  // Before commit 245cbe9 of 2026-12-03 the first pending call's progress was two flags (see PendingCall).
  @JsonProperty(value = "pendingCallFailed", access = JsonProperty.Access.WRITE_ONLY)
  private boolean legacyPendingCallFailed;
  @JsonProperty(value = "pendingCallStarted", access = JsonProperty.Access.WRITE_ONLY)
  private boolean legacyPendingCallStarted;

  /** A fresh run of {@code spec} with {@code task}. */
  public static RunState start(RunSpec spec, String task, Budget budget) {
    RunState s = new RunState();
    s.spec = spec;
    s.task = task;
    s.budget = budget == null ? Budget.UNLIMITED : budget;
    return s;
  }

  /** Records what the agent did (a tool call, or a reply without one). */
  public void recordAction(String line) {
    recent.add(new Action(++actionsRecorded, turn, line));
    if (recent.size() > RECENT) recent.remove(0);
  }

  /** The context window compaction aims under: the configured one, or less when the server says so. */
  public long contextWindow() {
    return spec.model().windowWith(contextWindow);
  }

  /** Display line of the last tool call, e.g. {@code bash: mvn -q test → exit 0}, or null. */
  public String lastTool() {
    return recent.isEmpty() ? null : recent.get(recent.size() - 1).line();
  }

  /** The workspace and the conversation exist (a fork starts with a conversation and no workspace yet). */
  public boolean begun() {
    return contextRef != null && workspaceRef != null;
  }

  /**
   * Puts the run back to right after turn {@code at.turn()}'s tool results: the one way "the state
   * at turn N" is made, by the rewind update and by {@code RunAt} for fork and the CLI. The turn in
   * progress, the notices and the stuck streak belong to the turns given up, and go.
   */
  public void goBackTo(Rewind at) {
    contextRef = at.contextRef();
    observations = new ArrayList<>(at.observations());
    workspaceRef = at.workspaceRef();
    turn = at.turn();
    plan = new ArrayList<>(at.plan());
    toolCalls = at.toolCalls();
    calls.clear();
    notices.clear();
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
    if (agents == null) agents = new ArrayList<>();
    return this;
  }
}
