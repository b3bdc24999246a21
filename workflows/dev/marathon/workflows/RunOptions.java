package dev.marathon.workflows;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Operational settings of a run, fixed at start.
 *
 * @param defaultCommandSeconds how long one bash command may run when the model does not ask
 * @param maxCommandSeconds the cap on what the model may ask for one command
 * @param heartbeatSeconds heartbeat timeout of long activities: how fast a dead worker is noticed
 * @param continueAsNewEvents history length at which the run continues as new even if Temporal
 *     has not suggested it yet
 * @param compactAtPercent share of the context window at which the conversation is compacted
 * @param containment how commands are contained; never null: runs started before commit 7804246
 *     of 2026-11-30, which added the sandbox, carry none and get the default
 * @param mcpServers the user's MCP servers by name ({@code mcpServers}), whose tools the run is offered as
 *     {@code mcp__<name>__<tool>}; never null, and left out of the payload when empty
 * @param notifyTargets where the run's events (paused, near a limit, ended) are posted; never null, and
 *     left out of the payload when empty, so a run without any looks as it did before it existed
 */
public record RunOptions(
    int defaultCommandSeconds,
    int maxCommandSeconds,
    int heartbeatSeconds,
    int continueAsNewEvents,
    int compactAtPercent,
    Containment containment,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<NotifyTarget> notifyTargets,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) java.util.Map<String, McpServer> mcpServers) {

  public static final RunOptions DEFAULTS = new RunOptions(600, 3600, 10, 4000, 80);

  public RunOptions {
    if (containment == null) containment = Containment.DEFAULT;
    notifyTargets = notifyTargets == null ? List.of() : List.copyOf(notifyTargets);
    mcpServers = mcpServers == null ? java.util.Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(mcpServers));
  }

  /** Options with the default containment (the sandbox on, the network on). */
  public RunOptions(int defaultCommandSeconds, int maxCommandSeconds, int heartbeatSeconds, int continueAsNewEvents, int compactAtPercent) {
    this(defaultCommandSeconds, maxCommandSeconds, heartbeatSeconds, continueAsNewEvents, compactAtPercent, Containment.DEFAULT, List.of(), null);
  }

  public RunOptions withContainment(Containment c) {
    return new RunOptions(defaultCommandSeconds, maxCommandSeconds, heartbeatSeconds, continueAsNewEvents, compactAtPercent, c, notifyTargets, mcpServers);
  }

  public RunOptions withNotify(List<NotifyTarget> targets) {
    return new RunOptions(defaultCommandSeconds, maxCommandSeconds, heartbeatSeconds, continueAsNewEvents, compactAtPercent, containment, targets, mcpServers);
  }

  public RunOptions withMcpServers(java.util.Map<String, McpServer> servers) {
    return new RunOptions(defaultCommandSeconds, maxCommandSeconds, heartbeatSeconds, continueAsNewEvents, compactAtPercent, containment, notifyTargets,
        servers);
  }
}
