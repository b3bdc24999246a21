package dev.marathon.workflows;

import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.common.SearchAttributeKey;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The typed search attributes every run keeps current, so runs can be filtered in the Web UI and
 * with {@code temporal workflow list --query "MarathonPhase='paused'"}. They must be registered on
 * the server before a worker runs (the runtime does it; the dev server gets them as flags).
 */
public final class MarathonSearchAttributes {
  public static final SearchAttributeKey<String> REPO = SearchAttributeKey.forKeyword("MarathonRepo");
  public static final SearchAttributeKey<String> MODEL = SearchAttributeKey.forKeyword("MarathonModel");
  public static final SearchAttributeKey<String> PHASE = SearchAttributeKey.forKeyword("MarathonPhase");
  public static final SearchAttributeKey<Long> TURNS = SearchAttributeKey.forLong("MarathonTurns");
  public static final SearchAttributeKey<Long> TOOL_CALLS = SearchAttributeKey.forLong("MarathonToolCalls");
  public static final SearchAttributeKey<Long> TOKENS = SearchAttributeKey.forLong("MarathonTokens");
  public static final SearchAttributeKey<Double> COST = SearchAttributeKey.forDouble("MarathonCostUsd");
  /** On a sub-agent: its coordinator's run id ({@code ./marathon list --swarm ID}). */
  public static final SearchAttributeKey<String> COORDINATOR = SearchAttributeKey.forKeyword("MarathonCoordinator");

  /**
   * Memo key holding the run's title, so lists show it without a worker. Continue-as-new carries
   * search attributes but not the memo, so the workflow passes it on explicitly.
   */
  public static final String TITLE_MEMO = "title";

  /** Name → server type, for registration. */
  public static Map<String, IndexedValueType> definitions() {
    Map<String, IndexedValueType> m = new LinkedHashMap<>();
    m.put(REPO.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    m.put(MODEL.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    m.put(PHASE.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    m.put(TURNS.getName(), IndexedValueType.INDEXED_VALUE_TYPE_INT);
    m.put(TOOL_CALLS.getName(), IndexedValueType.INDEXED_VALUE_TYPE_INT);
    m.put(TOKENS.getName(), IndexedValueType.INDEXED_VALUE_TYPE_INT);
    m.put(COST.getName(), IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE);
    m.put(COORDINATOR.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    return m;
  }

  private MarathonSearchAttributes() {}
}
