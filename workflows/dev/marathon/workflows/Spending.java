package dev.marathon.workflows;

import java.util.ArrayList;
import java.util.List;

/** What a run may spend and what it has spent, a part of {@link RunState}. */
public final class Spending {
  public Budget budget = Budget.UNLIMITED;
  public Usage usage = Usage.ZERO;
  /** Budget warnings already given, so each is given once (e.g. {@code turns}). */
  public List<String> warned = new ArrayList<>();
  /** Workflow time (epoch millis) when the run chain began; budgets in hours count from it. */
  public long startedAtMillis;
}
