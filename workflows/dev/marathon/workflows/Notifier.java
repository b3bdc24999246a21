package dev.marathon.workflows;

import dev.marathon.workflows.api.Notification;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Tells the people watching a run when it needs them: it paused (with the command that resumes
 * it), it crossed {@link BudgetCheck#CROSSED} of a budget, it ended. Each delivery is an activity
 * the run does not wait for — retried while the endpoint is down, and a dead endpoint is a line in
 * the run's details, never a failed run. Only at the very end does the run wait for the last
 * deliveries, at most {@link #END_WAIT}; deliveries under way at continue-as-new are made again by
 * the next run of the chain. Sub-agents tell their coordinator ({@link CoordinatorLink}), not people.
 *
 * <p>Runs that name no target schedule nothing, so every history recorded before this existed
 * replays as it was. The first delivery of a run records the {@link #CHANGE} marker: a run whose
 * earlier events a worker without notifications handled replays them without delivering, and
 * notifies from the next event on. Upgrade workers before the CLIs that start runs with targets: an
 * older worker drops the targets it does not know when it continues a run as new.
 */
final class Notifier {
  static final String CHANGE = "notify";
  /** How long a finished run waits for its last deliveries before it closes anyway. */
  static final Duration END_WAIT = Duration.ofMinutes(10);

  private final RunState state;
  private final ActivityStubs stubs;
  private final Map<Promise<Void>, Notification> underWay = new LinkedHashMap<>();

  Notifier(RunState state, ActivityStubs stubs) {
    this.state = state;
    this.stubs = stubs;
  }

  /** Makes the deliveries the previous run of the chain had under way when it continued as new. */
  void resumeCarried() {
    if (state.notifications.carried.isEmpty()) return;
    List<Notification> carried = new ArrayList<>(state.notifications.carried);
    state.notifications.carried.clear();
    for (Notification n : carried) {
      Duration left = Duration.ofMillis(n.atMillis() + ActivityStubs.NOTIFY_WINDOW.toMillis() - Workflow.currentTimeMillis());
      if (left.compareTo(Duration.ofSeconds(5)) > 0) deliver(n, left);
      else state.notifications.failed(notDelivered(n, "within " + ActivityStubs.NOTIFY_WINDOW.toMinutes() + " minutes"));
    }
  }

  /** A pause an operator asked for is news to no one. */
  void paused(Pause pause) {
    if (pause.cause() == Pause.Cause.OPERATOR) return;
    notify(Notification.PAUSED, null, pause.cause().name().toLowerCase(Locale.ROOT), pause.reason(), resumeCommand(pause));
  }

  /** Reports each limit of {@code check} crossed for the first time at its present value. */
  void crossed(BudgetCheck check) {
    check.crossed().forEach((limit, sentence) -> {
      if (state.notifications.nearReported.contains(limit)) return;
      state.notifications.nearReported.add(limit);
      String name = limit.substring(0, limit.indexOf('@'));
      notify(Notification.NEAR_LIMIT, null, name, sentence, "raise it: ./marathon budget " + state.spec.runId() + " " + option(name) + " …");
    });
  }

  void ended(RunOutcome outcome) {
    String id = state.spec.runId();
    String next = outcome == RunOutcome.FINISHED ? "./marathon diff " + id
        : "./marathon log " + id + "; to go on from its last turn: ./marathon fork " + id + " --turn " + state.turn;
    notify(Notification.ENDED, outcome.name().toLowerCase(Locale.ROOT), null, null, next);
  }

  /** Nothing under way (continue-as-new carries what is). */
  boolean idle() {
    return underWay.isEmpty();
  }

  /** Before continue-as-new: what is under way goes with the state to the next run. */
  void carryOver() {
    state.notifications.carried.addAll(underWay.values());
  }

  /** At the end: waits for the deliveries under way, at most {@link #END_WAIT}. */
  void awaitLast() {
    if (!idle()) Workflow.await(END_WAIT, this::idle);
    for (Notification n : underWay.values()) state.notifications.failed(notDelivered(n, "within " + END_WAIT.toMinutes() + " minutes of the end"));
  }

  private void notify(String event, String outcome, String cause, String reason, String next) {
    List<NotifyTarget> targets = state.spec.options().notifyTargets();
    if (targets.isEmpty() || state.spec.coordinator() != null) return;
    if (Workflow.getVersion(CHANGE, Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION) return;
    String eventId = state.spec.runId() + "/" + (++state.notifications.sent);
    for (NotifyTarget t : targets) {
      deliver(new Notification(t.to(), t.format(), event, eventId, Workflow.currentTimeMillis(), state.spec.runId(), state.spec.title(),
          state.spec.repo(), state.spec.branch(), outcome, cause, reason == null ? null : Text.oneLine(reason, 500), next,
          state.summary == null ? null : Text.oneLine(state.summary, 2000), state.turn, state.toolCalls,
          state.spending.usage.totalTokens(), state.spending.usage.costUsd()), ActivityStubs.NOTIFY_WINDOW);
    }
  }

  private void deliver(Notification n, Duration within) {
    String to = new NotifyTarget(n.target(), n.format()).display();
    Promise<Void> delivery = Async.procedure(stubs.notify("notify: " + n.event() + " → " + to, within)::deliver, n);
    underWay.put(delivery, n);
    state.notifications.underWay = underWay.size();
    delivery.handle((ok, failure) -> {
      underWay.remove(delivery);
      state.notifications.underWay = underWay.size();
      if (failure == null) {
        state.notifications.delivered++;
      } else {
        state.notifications.failed("to " + to + " (" + n.event() + "): "
            + ActivityFailures.describe(failure));
      }
      return null;
    });
  }

  private static String notDelivered(Notification n, String when) {
    return "to " + new NotifyTarget(n.target(), n.format()).display() + " (" + n.event() + "): not delivered " + when;
  }

  /** The exact command that makes a run paused for {@code pause} go on. */
  private String resumeCommand(Pause pause) {
    String id = state.spec.runId();
    if (pause.cause() != Pause.Cause.BUDGET) return "./marathon status " + id + ", then ./marathon unpause " + id;
    Budget b = state.spending.budget;
    String reason = pause.reason();
    String raise = reason.startsWith("turn") && b.maxTurns() != null ? "--max-turns " + (b.maxTurns() + Math.max(10, b.maxTurns() / 2))
        : reason.startsWith("time") && b.maxHours() != null ? "--max-hours " + hoursFromNow(Math.max(1, b.maxHours() / 2))
        : reason.startsWith("token") && b.maxTokens() != null ? "--max-tokens " + (b.maxTokens() + b.maxTokens() / 2)
        : reason.startsWith("cost") && b.maxCostUsd() != null ? String.format(Locale.ROOT, "--max-cost %.2f", b.maxCostUsd() * 1.5)
        : "--max-turns N";
    return "./marathon budget " + id + " " + raise + " (or let it report: ./marathon finish " + id + ")";
  }

  /** A time budget counts from the run's start, pauses included: a raise must be past now. */
  private String hoursFromNow(double more) {
    double elapsed = (Workflow.currentTimeMillis() - state.spending.startedAtMillis) / 3_600_000.0;
    return String.format(Locale.ROOT, "%.1f", Math.ceil((elapsed + more) * 10) / 10);
  }

  private static String option(String limit) {
    return switch (limit) {
      case "turns" -> "--max-turns";
      case "hours" -> "--max-hours";
      case "tokens" -> "--max-tokens";
      default -> "--max-cost";
    };
  }
}
