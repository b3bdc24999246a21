package dev.marathon.activities.sandbox;

import dev.marathon.activities.policy.WorkerPolicy;
import dev.marathon.workflows.Containment;
import java.nio.file.Path;
import java.util.List;

/**
 * The sandboxes this worker can offer: bubblewrap when it works here (tried once, on first use),
 * and none. A run that asks for the sandbox never silently gets none.
 */
public final class Sandboxes {
  private final Bubblewrap bubblewrap;
  private final CommandSandbox none = new Unsandboxed();
  private volatile String problem;
  private volatile boolean probed;

  private final WorkerPolicy policy;

  /**
   * @param hidden Marathon's directories, which sandboxed commands must not see
   * @param policy what containment this worker's operator allows runs to ask for
   */
  public Sandboxes(List<Path> hidden, WorkerPolicy policy) {
    this.policy = policy;
    Path bwrap = Bubblewrap.find();
    this.bubblewrap = bwrap == null ? null : new Bubblewrap(bwrap, hidden, Path.of(System.getProperty("user.home")));
  }

  /**
   * The sandbox for a run's commands; throws when the run wants one and this worker has none, or
   * when it asks for less containment than this worker's operator allows.
   */
  public CommandSandbox forRun(String runId, Containment containment) {
    String refused = policy.refusal(runId, containment);
    if (refused != null) throw new SandboxUnavailableException(refused, true);
    if (!Containment.orDefault(containment).sandbox()) return none;
    String why = problem();
    if (why != null) throw new SandboxUnavailableException(why);
    return bubblewrap;
  }

  /** Null when bubblewrap works on this machine, for a command line that checks before it starts a run. */
  public static String problemHere(List<Path> hidden) {
    return new Sandboxes(hidden, WorkerPolicy.strict(dev.marathon.activities.policy.KeyBindings.none())).problem();
  }

  /** Null when bubblewrap works on this machine, else why not. */
  public String problem() {
    if (!probed) {
      synchronized (this) {
        if (!probed) {
          problem = bubblewrap == null ? "bwrap (bubblewrap) is not installed" : bubblewrap.problem();
          probed = true;
        }
      }
    }
    return problem;
  }

  /** The run wants its commands sandboxed and this worker cannot. */
  public static final class SandboxUnavailableException extends RuntimeException {
    SandboxUnavailableException(String refusal, boolean byPolicy) {
      super(refusal);
    }

    SandboxUnavailableException(String why) {
      super("this worker cannot sandbox commands: " + why + ". Install bubblewrap on the workers (apt-get install"
          + " bubblewrap; in a container, allow user namespaces: seccomp=unconfined), or start the run with --sandbox off");
    }
  }
}
