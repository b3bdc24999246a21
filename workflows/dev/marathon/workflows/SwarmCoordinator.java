package dev.marathon.workflows;

import dev.marathon.workflows.api.AgentSighting;
import dev.marathon.workflows.api.CollectInput;
import dev.marathon.workflows.api.CollectResult;
import dev.marathon.workflows.api.Observation;
import dev.marathon.workflows.api.SpawnedFrom;
import dev.marathon.workflows.api.ToolCall;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Functions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * A coordinator's side of its swarm: sub-agents spawned as child workflows (at most {@code
 * parallel} running, the rest queued), their news heard by signal, their work waited for and merged,
 * and the operator's controls and the swarm's budget passed down to them. Children are abandoned by
 * their parent's close, so they outlive the coordinator's continue-as-new; they report to its
 * workflow id, which every run of the chain answers to.
 */
final class SwarmCoordinator implements Role {
  /** While waiting, the sub-agents are surveyed after this long, then half as often each time. */
  static final Duration FIRST_SURVEY = Duration.ofSeconds(15);
  static final Duration MAX_SURVEY = Duration.ofMinutes(5);
  /** A sub-agent's pause or end reason as its row keeps it: 300 of them ride in the coordinator's state. */
  static final int REASON_CHARS = 300;

  private final RunState state;
  private final ActivityStubs stubs;
  /** A child start is in flight: continue-as-new waits for it to be recorded. */
  private boolean starting;

  SwarmCoordinator(RunState state, ActivityStubs stubs) {
    this.state = state;
    this.stubs = stubs;
  }

  @Override
  public boolean idle() {
    return !starting;
  }

  @Override
  public boolean coordinates() {
    return true;
  }

  @Override
  public void beside() {
    Async.procedure(this::dispatch); // starts queued sub-agents as slots free up
  }

  /** A coordinator's budget is the swarm's: its own turns and spending and its sub-agents'. */
  @Override
  public BudgetCheck check(double hours) {
    return BudgetCheck.of(state.spending.budget, SubAgents.turns(state), SubAgents.usage(state), hours);
  }

  // ---- the operator's controls and the swarm's budget, passed down ---------------------------

  @Override
  public void pausedOnBudget(String reason) {
    state.swarm.agentsPausedForBudget = true;
    tell(SwarmCoordinator::live, child -> child.pause("the swarm's budget is reached: " + reason));
  }

  @Override
  public void budgetChanged() {
    if (!state.swarm.agentsPausedForBudget) return;
    state.swarm.agentsPausedForBudget = false; // if the swarm is still over, the next check pauses everyone again
    tell(SwarmCoordinator::live, AgentWorkflow::unpause);
  }

  /** Finish and cancel reach every sub-agent: they wrap up, and their work is still collected. */
  @Override
  public void stopRequested(Stop.Kind kind, boolean now) {
    dropQueue("the coordinator was asked to " + kind.name().toLowerCase(Locale.ROOT));
    tell(SwarmCoordinator::live, kind == Stop.Kind.CANCEL ? child -> child.cancel(now) : AgentWorkflow::finish);
  }

  @Override
  public void operatorPaused(String why) {
    tell(a -> a.state == SubAgent.State.RUNNING, child -> child.pause("the coordinator paused: " + why));
  }

  @Override
  public void operatorUnpaused() {
    tell(a -> a.state == SubAgent.State.PAUSED || a.state == SubAgent.State.RUNNING, AgentWorkflow::unpause);
  }

  // ---- the tools --------------------------------------------------------------------------

  Observation spawn(ToolCall.SpawnAgents call) {
    int have = state.swarm.agents.size();
    int max = state.spec.swarm().maxAgents();
    if (have + call.titles().size() > max) {
      return Observation.inline(call.id(), call.tool(), "Error: this swarm may spawn at most " + max + " sub-agents in all, "
          + have + " so far; " + call.titles().size() + " more would exceed it. Spawn fewer, with larger parts each.");
    }
    if (state.lifecycle instanceof Lifecycle.WrappingUp) return Observation.inline(call.id(), call.tool(), "Not spawned: the run is ending.");
    StringBuilder text = new StringBuilder("Spawned " + call.titles().size() + " sub-agents, starting from your workspace as it"
        + " is now (" + state.spec.swarm().parallel() + " run at once, the rest wait their turn):\n");
    for (int i = 0; i < call.titles().size(); i++) {
      SubAgent a = new SubAgent();
      a.id = state.spec.runId() + ".a" + (have + i + 1);
      a.title = call.titles().get(i);
      a.spawnContextRef = state.conversation.contextRef;
      a.spawnCallId = call.id();
      a.spawnIndex = i;
      a.forkSnapshot = state.workspaceRef;
      a.branch = "marathon-swarm/" + state.spec.runId() + "/" + a.id;
      state.swarm.agents.add(a);
      text.append("- ").append(a.id).append(": ").append(a.title).append('\n');
    }
    text.append("Call wait_agents to collect their work, agent_status to see how they are doing.");
    state.recordAction("spawn_agents: " + call.titles().size() + " sub-agents (" + state.swarm.agents.size() + " in all)");
    return Observation.inline(call.id(), call.tool(), text.toString());
  }

  /**
   * Waits until the sub-agents have ended or paused, then collects them. Returns null when the
   * merge could not be made (the run paused; the call stays pending and is waited for again).
   *
   * @param stopNow true when the operator asked to stop at once: collect what has ended
   * @param betweenSurveys what the run does while it waits (budget check, continue-as-new)
   */
  Observation await(ToolCall.WaitAgents call, BooleanSupplier stopNow, Runnable betweenSurveys) {
    List<SubAgent> targets = new ArrayList<>();
    for (String id : call.ids()) {
      SubAgent a = find(id);
      if (a == null) {
        return Observation.inline(call.id(), call.tool(), "Error: no sub-agent '" + id + "' in this swarm. Its sub-agents: "
            + String.join(", ", state.swarm.agents.stream().map(x -> x.id).limit(30).toList()) + (state.swarm.agents.size() > 30 ? ", …" : ""));
      }
      targets.add(a);
    }
    if (call.ids().isEmpty()) for (SubAgent a : state.swarm.agents) if (!a.collected) targets.add(a);
    if (targets.isEmpty()) {
      return Observation.inline(call.id(), call.tool(), "No sub-agents to wait for: every one spawned so far was collected"
          + " already (spawn_agents starts new ones).");
    }
    Duration every = FIRST_SURVEY;
    while (!settled(targets) && !stopNow.getAsBoolean()) {
      boolean woke = Workflow.await(every, () -> settled(targets) || stopNow.getAsBoolean());
      if (!woke) {
        survey();
        betweenSurveys.run();
        every = every.multipliedBy(2).compareTo(MAX_SURVEY) > 0 ? MAX_SURVEY : every.multipliedBy(2);
      }
    }
    return collect(call, targets);
  }

  private Observation collect(ToolCall.WaitAgents call, List<SubAgent> targets) {
    List<CollectInput.Collectible> items = new ArrayList<>();
    List<SubAgent> ended = new ArrayList<>();
    int waiting = 0;
    for (SubAgent a : targets) {
      if (a.state == SubAgent.State.ENDED && !a.collected) {
        ended.add(a);
        items.add(new CollectInput.Collectible(a.id, a.title, a.outcome, a.reason, a.head, a.branch, a.reportRef, a.summary));
      } else if (a.state == SubAgent.State.PAUSED) {
        items.add(new CollectInput.Collectible(a.id, a.title, "paused", a.reason, null, a.branch, null, null));
      } else if (a.state != SubAgent.State.ENDED) {
        waiting++;
      }
    }
    // An ActivityFailure here goes to the loop, which pauses the run; the wait is made again after it.
    CollectResult r = stubs.swarm("merge " + ended.size() + " sub-agents").collect(new CollectInput(state.spec.workspaceKey(),
        state.workspaceRef, call.id(), Workflow.currentTimeMillis() / 1000, items));
    state.workspaceRef = r.workspaceRef();
    for (SubAgent a : ended) a.collected = true;
    state.recordAction("wait_agents → " + ended.size() + " collected"
        + (r.conflicted().isEmpty() ? "" : ", " + r.conflicted().size() + " with conflicts")
        + (items.size() > ended.size() ? ", " + (items.size() - ended.size()) + " paused" : "")
        + (waiting > 0 ? ", " + waiting + " still running (the run was stopped)" : ""));
    return Observation.stored(call.id(), call.tool(), r.observationRef(), r.observationChars());
  }

  Observation status(ToolCall.AgentStatus call) {
    if (!state.swarm.agents.isEmpty()) survey();
    return Observation.inline(call.id(), call.tool(), SubAgents.table(state, false));
  }

  // ---- starting sub-agents -----------------------------------------------------------------

  /** Starts queued sub-agents as slots free up; runs beside the agent loop for the run's whole life. */
  private void dispatch() {
    while (true) {
      Workflow.await(this::canStart);
      start(next());
    }
  }

  private boolean canStart() {
    return !starting && next() != null && running() < state.spec.swarm().parallel()
        && state.lifecycle.stage() == Lifecycle.Stage.RUNNING;
  }

  private SubAgent next() {
    for (SubAgent a : state.swarm.agents) if (a.state == SubAgent.State.QUEUED) return a;
    return null;
  }

  private int running() {
    int n = 0;
    for (SubAgent a : state.swarm.agents) if (a.state == SubAgent.State.RUNNING || a.state == SubAgent.State.PAUSED) n++;
    return n;
  }

  private void start(SubAgent a) {
    starting = true;
    a.state = SubAgent.State.RUNNING;
    a.slice = slice();
    try {
      RunSpec spec = new RunSpec(a.id, a.title, state.spec.repo(), a.branch, state.spec.model(), state.spec.options(), null,
          state.spec.runId());
      RunState child = RunState.start(spec, null, a.slice);
      child.spawnedFrom = new SpawnedFrom(state.spec.workspaceKey(), a.forkSnapshot, a.spawnContextRef, a.spawnCallId, a.spawnIndex);
      AgentWorkflow stub = Workflow.newChildWorkflowStub(AgentWorkflow.class, ChildWorkflowOptions.newBuilder()
          .setWorkflowId(a.id)
          .setTaskQueue(Workflow.getInfo().getTaskQueue())
          .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON)
          .setStaticSummary(Text.oneLineBytes(a.title, 200))
          .setMemo(Map.of(MarathonSearchAttributes.TITLE_MEMO, a.title))
          .setTypedSearchAttributes(SearchAttributes.newBuilder().set(MarathonSearchAttributes.COORDINATOR, state.spec.runId()).build())
          .build());
      Promise<RunReport> result = Async.function(stub::run, child);
      Workflow.getWorkflowExecution(stub).get();
      result.handle((report, failure) -> {
        if (failure != null && a.state != SubAgent.State.ENDED) ended(a, "failed", ActivityFailures.describe(failure));
        return null;
      });
    } catch (TemporalFailure e) {
      ended(a, "failed", "could not start: " + ActivityFailures.describe(e));
    } finally {
      starting = false;
    }
  }

  /**
   * Each sub-agent's budget: an equal share, among the sub-agents that may run at once, of what
   * is left of the swarm's. Spent, the sub-agent wraps up and reports, and its work is collected.
   */
  private Budget slice() {
    Budget b = state.spending.budget;
    int share = state.spec.swarm().parallel();
    Usage used = SubAgents.usage(state);
    double hours = (Workflow.currentTimeMillis() - state.spending.startedAtMillis) / 3_600_000.0;
    return new Budget(
        b.maxTurns() == null ? null : Math.max(1, (b.maxTurns() - SubAgents.turns(state)) / share),
        b.maxHours() == null ? null : Math.max(0.01, b.maxHours() - hours),
        b.maxTokens() == null ? null : Math.max(1L, (b.maxTokens() - used.totalTokens()) / share),
        b.maxCostUsd() == null ? null : Math.max(0.0, (b.maxCostUsd() - used.costUsd()) / share),
        true);
  }

  // ---- hearing from sub-agents --------------------------------------------------------------

  void heard(AgentNews news) {
    SubAgent a = find(news.id());
    if (a == null || a.state == SubAgent.State.ENDED) return;
    switch (news.kind()) {
      case PAUSED -> {
        a.state = SubAgent.State.PAUSED;
        a.reason = news.reason() == null ? null : Text.oneLine(news.reason(), REASON_CHARS);
      }
      case UNPAUSED -> {
        a.state = SubAgent.State.RUNNING;
        a.reason = null;
      }
      case ENDED -> {
        ended(a, news.outcome(), news.reason());
        a.summary = news.summary() == null ? null : Text.oneLine(news.summary(), 300);
        a.reportRef = news.reportRef();
        a.head = news.head();
      }
    }
    numbers(a, news.turns(), news.toolCalls(), news.tokens(), news.costUsd());
    if (news.lastStep() != null) a.lastStep = Text.oneLine(news.lastStep(), 160);
  }

  private void ended(SubAgent a, String outcome, String reason) {
    a.state = SubAgent.State.ENDED;
    a.outcome = outcome;
    a.reason = reason == null ? null : Text.oneLine(reason, REASON_CHARS);
  }

  private static void numbers(SubAgent a, int turns, int toolCalls, long tokens, double cost) {
    a.turn = Math.max(a.turn, turns);
    a.toolCalls = Math.max(a.toolCalls, toolCalls);
    a.tokens = Math.max(a.tokens, tokens);
    a.costUsd = Math.max(a.costUsd, cost);
  }

  /** Reads how the running sub-agents are doing from the server: their numbers, and any that closed unheard. */
  void survey() {
    List<String> ids = new ArrayList<>();
    for (SubAgent a : state.swarm.agents) if (a.state == SubAgent.State.RUNNING || a.state == SubAgent.State.PAUSED) ids.add(a.id);
    if (ids.isEmpty()) return;
    List<AgentSighting> seen;
    try {
      seen = stubs.swarm("survey " + ids.size() + " sub-agents").survey(ids);
    } catch (ActivityFailure f) {
      return; // nothing learned; the next survey tries again
    }
    for (AgentSighting s : seen) {
      SubAgent a = find(s.id());
      if (a == null) continue;
      numbers(a, s.turns(), s.toolCalls(), s.tokens(), s.costUsd());
      if (s.closed() != null) heard(s.closed());
      else if (!s.found() && !starting) ended(a, "failed", "its workflow is gone");
    }
  }

  /** Sends a signal to every sub-agent {@code which} selects (those that ended meanwhile are skipped). */
  private void tell(Predicate<SubAgent> which, Functions.Proc1<AgentWorkflow> signal) {
    List<Promise<Void>> sent = new ArrayList<>();
    for (SubAgent a : state.swarm.agents) {
      if (!which.test(a)) continue;
      AgentWorkflow child = Workflow.newExternalWorkflowStub(AgentWorkflow.class, a.id);
      sent.add(Async.procedure(signal, child));
    }
    for (Promise<Void> p : sent) {
      try {
        p.get();
      } catch (RuntimeException endedMeanwhile) {
        // a sub-agent that has just closed cannot be told; it reported its end
      }
    }
  }

  private static boolean live(SubAgent a) {
    return a.state == SubAgent.State.RUNNING || a.state == SubAgent.State.PAUSED;
  }

  /** The coordinator is ending: sub-agents not started yet never will be. */
  private void dropQueue(String why) {
    for (SubAgent a : state.swarm.agents) if (a.state == SubAgent.State.QUEUED) ended(a, "not started", why);
  }

  private boolean settled(List<SubAgent> targets) {
    for (SubAgent a : targets) if (!a.settled()) return false;
    return true;
  }

  private SubAgent find(String id) {
    for (SubAgent a : state.swarm.agents) if (a.id.equals(id)) return a;
    return null;
  }
}
