package dev.marathon.workflows;

/**
 * What a coordinator knows of one of its sub-agents. Small on purpose (300 of them ride in the
 * coordinator's state): the task lives in the coordinator's checkpoint (the spawn call's
 * arguments), the report in the store.
 */
public final class SubAgent {
  public enum State { QUEUED, RUNNING, PAUSED, ENDED }

  public String id;
  public String title;
  /** The spawn call that asked for it: the coordinator's checkpoint at that turn, the call, the index in its list. */
  public String spawnContextRef;
  public String spawnCallId;
  public int spawnIndex;
  /** The coordinator's workspace snapshot the sub-agent's branch starts from. */
  public String forkSnapshot;

  public State state = State.QUEUED;
  /** finished, stopped, cancelled — or failed, terminated, timed out (Temporal's word for it). */
  public String outcome;
  /** Why it paused or how it ended, one line. */
  public String reason;
  /** The start of its report; the whole report is at {@link #reportRef}. */
  public String summary;
  public String reportRef;
  /** The commit its work ended at (on its branch), once ended. */
  public String head;
  public String branch;

  public int turn;
  public int toolCalls;
  public long tokens;
  public double costUsd;
  /** The last step it took, as its progress showed it. */
  public String lastStep;
  /** Its budget slice, set when it starts. */
  public Budget slice;

  /** Its work has been merged into the coordinator's workspace and its result shown to the model. */
  public boolean collected;

  public boolean settled() {
    return state == State.ENDED || state == State.PAUSED;
  }
}
