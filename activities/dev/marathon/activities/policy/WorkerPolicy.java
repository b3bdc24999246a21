package dev.marathon.activities.policy;

import dev.marathon.workflows.Containment;
import java.util.Set;

/**
 * What this worker does for a run whatever the run's input asks: its operator's word, not the
 * input's. Anyone who can reach the Temporal server can start a run, with the sandbox off, the
 * network open, or the model URL pointed at a server of their own; a worker runs such a run only
 * when its operator allowed it ({@code ./marathon worker --allow-sandbox-off --allow-network-open}),
 * or when it is the worker of the {@code run} command that started that very run, and it sends a
 * key only where {@link KeyBindings} binds it.
 *
 * @param sandboxOff whether any run may have its commands run unsandboxed ({@code --allow-sandbox-off})
 * @param networkOpen whether any run may have its commands share the worker's network ({@code --allow-network-open})
 * @param passEnv whether any run may pass variables of the worker's environment to its commands ({@code --allow-pass-env})
 * @param ownRuns runs whose containment this worker's user chose on its command line (the very ids:
 *     anyone can start a run whose id merely begins like one of them, so sub-agents of such a run
 *     need a worker allowed what they ask)
 */
public record WorkerPolicy(boolean sandboxOff, boolean networkOpen, boolean passEnv, Set<String> ownRuns, KeyBindings keys) {

  /** The default containment only, keys where the presets and the operator bind them. */
  public static WorkerPolicy strict(KeyBindings keys) {
    return new WorkerPolicy(false, false, false, Set.of(), keys);
  }

  /** The worker of a {@code run} command: what its user typed for {@code runId} is the operator's word for that run. */
  public WorkerPolicy trusting(String runId, String keyEnv, String baseUrl) {
    Set<String> own = new java.util.HashSet<>(ownRuns);
    own.add(runId);
    return new WorkerPolicy(sandboxOff, networkOpen, passEnv, Set.copyOf(own), keys.and(keyEnv, baseUrl));
  }

  /** Null when this worker may run {@code runId}'s commands contained as {@code containment} asks, else why not. */
  public String refusal(String runId, Containment containment) {
    if (isOwn(runId)) return null;
    for (String loosening : (containment == null ? Containment.DEFAULT : containment).loosenings()) {
      String flag = loosening.startsWith("--sandbox") ? "--allow-sandbox-off" : loosening.startsWith("--network") ? "--allow-network-open"
          : "--allow-pass-env";
      boolean allowed = loosening.startsWith("--sandbox") ? sandboxOff : loosening.startsWith("--network") ? networkOpen : passEnv;
      if (!allowed) {
        return "this worker refuses a run started with " + loosening + ": a run's input can be written by anyone who reaches"
            + " the Temporal server. Start a worker with " + flag + " if you mean it, then ./marathon unpause " + runId;
      }
    }
    return null;
  }

  /** Whether this is the worker of the {@code run} command that started {@code runId}: its user's word is the operator's for that run. */
  public boolean isOwn(String runId) {
    return ownRuns.contains(runId);
  }
}
