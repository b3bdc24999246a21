package dev.marathon.workflows;

/**
 * What a run's place in a swarm adds to its lifecycle. A swarm's coordinator ({@link
 * SwarmCoordinator}) passes the operator's controls and the swarm's budget down to its sub-agents
 * and counts their spending as its own; every other run is {@link Solo}, for which each hook does
 * nothing. The loop calls the hooks unconditionally, so no swarm branch lives in it.
 */
interface Role {

  static Role of(RunState state, ActivityStubs stubs) {
    return state.spec.swarm() != null ? new SwarmCoordinator(state, stubs) : new Solo(state);
  }

  /** Whether the model is offered the swarm's tools. */
  boolean coordinates();

  /** Starts what runs beside the loop for the run's whole life (a coordinator's dispatcher). */
  void beside();

  /** The budget as this run counts it: its own spending, or the whole swarm's. */
  BudgetCheck check(double hours);

  /** Nothing is in flight that continue-as-new would lose (a child start not yet recorded). */
  boolean idle();

  /** The run paused on its budget: the swarm's budget is everyone's, so the sub-agents pause too. */
  void pausedOnBudget(String reason);

  /** The operator changed the budget: sub-agents paused on it go on (the next check pauses them again if still over). */
  void budgetChanged();

  /** An operator asked the run to end: finish and cancel reach every sub-agent. */
  void stopRequested(Stop.Kind kind, boolean now);

  /** An operator paused the run. */
  void operatorPaused(String why);

  /** An operator let the run go on. */
  void operatorUnpaused();

  /** A run that coordinates nobody. */
  final class Solo implements Role {
    private final RunState state;

    Solo(RunState state) {
      this.state = state;
    }

    @Override
    public boolean coordinates() {
      return false;
    }

    @Override
    public void beside() {}

    @Override
    public BudgetCheck check(double hours) {
      return BudgetCheck.of(state.spending.budget, state.turn, state.spending.usage, hours);
    }

    @Override
    public boolean idle() {
      return true;
    }

    @Override
    public void pausedOnBudget(String reason) {}

    @Override
    public void budgetChanged() {}

    @Override
    public void stopRequested(Stop.Kind kind, boolean now) {}

    @Override
    public void operatorPaused(String why) {}

    @Override
    public void operatorUnpaused() {}
  }
}
