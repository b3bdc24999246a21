package dev.marathon.workflows;

/**
 * What a sub-agent tells its coordinator (a signal): that it paused for an operator, went on, or
 * ended, with the numbers the coordinator rolls up. Sent by the sub-agent's own workflow, so it
 * reaches whichever run of the coordinator's continue-as-new chain is current.
 *
 * @param summary the start of the report (the whole of it is at {@code reportRef})
 */
public record AgentNews(
    String id,
    Kind kind,
    String outcome,
    String reason,
    String summary,
    String reportRef,
    String head,
    int turns,
    int toolCalls,
    long tokens,
    double costUsd,
    String lastStep) {

  public enum Kind { PAUSED, UNPAUSED, ENDED }
}
