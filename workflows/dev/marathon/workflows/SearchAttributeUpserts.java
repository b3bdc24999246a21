package dev.marathon.workflows;

import io.temporal.common.SearchAttributeUpdate;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps the run's search attributes current without an upsert event per call: only values that
 * changed since the last upsert are sent. The phase is coarse ({@code running}, {@code paused},
 * ...) so it does not flap between thinking and acting every turn.
 */
final class SearchAttributeUpserts {
  private boolean fixedSent;
  private String phase;
  private long turns = -1;
  private long toolCalls = -1;
  private long tokens = -1;
  private double cost = -1;

  void upsertChanged(RunState s, Phase p) {
    List<SearchAttributeUpdate<?>> updates = new ArrayList<>();
    if (!fixedSent) {
      fixedSent = true;
      updates.add(MarathonSearchAttributes.REPO.valueSet(s.spec.repo()));
      updates.add(MarathonSearchAttributes.MODEL.valueSet(s.spec.model().model()));
    }
    String coarse = coarse(p);
    if (!coarse.equals(phase)) {
      phase = coarse;
      updates.add(MarathonSearchAttributes.PHASE.valueSet(coarse));
    }
    if (s.turn != turns) {
      turns = s.turn;
      updates.add(MarathonSearchAttributes.TURNS.valueSet((long) s.turn));
    }
    if (s.toolCalls != toolCalls) {
      toolCalls = s.toolCalls;
      updates.add(MarathonSearchAttributes.TOOL_CALLS.valueSet((long) s.toolCalls));
    }
    if (s.spending.usage.totalTokens() != tokens) {
      tokens = s.spending.usage.totalTokens();
      updates.add(MarathonSearchAttributes.TOKENS.valueSet(tokens));
    }
    if (s.spending.usage.costUsd() != cost) {
      cost = s.spending.usage.costUsd();
      updates.add(MarathonSearchAttributes.COST.valueSet(cost));
    }
    if (!updates.isEmpty()) Workflow.upsertTypedSearchAttributes(updates.toArray(new SearchAttributeUpdate<?>[0]));
  }

  static String coarse(Phase p) {
    return switch (p) {
      case THINKING, ACTING, COMPACTING -> "running";
      default -> p.label();
    };
  }
}
