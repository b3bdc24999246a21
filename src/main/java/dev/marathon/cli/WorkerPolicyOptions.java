package dev.marathon.cli;

import dev.marathon.activities.policy.WorkerPolicy;
import dev.marathon.runtime.MarathonHome;
import dev.marathon.runtime.WorkerHost;
import picocli.CommandLine.Option;

/**
 * What a worker's operator allows runs to ask for. By default only the default containment: a
 * run's input is written by whoever can reach the Temporal server.
 */
final class WorkerPolicyOptions {
  @Option(names = "--allow-sandbox-off", description = "Run runs started with --sandbox off (their commands run as this"
      + " worker's user, unconfined). Without it such a run pauses with the reason.")
  boolean sandboxOff;

  @Option(names = "--allow-network-open", description = "Run runs started with --network open (their commands reach this"
      + " machine's services, the Temporal server included). Without it such a run pauses with the reason.")
  boolean networkOpen;

  @Option(names = "--allow-pass-env", description = "Run runs started with --pass-env (variables of this worker's"
      + " environment their commands get). Without it such a run pauses with the reason.")
  boolean passEnv;

  WorkerPolicy policy(MarathonHome home) {
    WorkerPolicy strict = WorkerHost.policy(home);
    return new WorkerPolicy(sandboxOff, networkOpen, passEnv, strict.ownRuns(), strict.keys());
  }
}
