package dev.marathon.activities.sandbox;

import dev.marathon.activities.policy.WorkerPolicy;
import dev.marathon.workflows.Containment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.List;

/**
 * The sandboxes this worker can offer: bubblewrap when it works here (tried once, on first use),
 * and none; the network each run's commands get (an egress proxy per set of allowed hosts, started
 * on first use and shared by the runs that allow the same hosts); and the per-command limits. A
 * run that asks for the sandbox never silently gets none, and a run asking for less containment
 * than the default gets it only where the worker's policy allows.
 */
public final class Sandboxes {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Sandboxes.class);
  private final Bubblewrap bubblewrap;
  private final CommandSandbox none = new Unsandboxed();
  private final WorkerPolicy policy;
  private final Map<Set<String>, EgressProxy> proxies = new HashMap<>();
  private volatile CommandLimits limits;
  private Path proxyDir;
  private volatile String problem;
  private volatile boolean probed;

  /**
   * @param hidden Marathon's directories, which sandboxed commands must not see
   * @param policy what containment this worker's operator allows runs to ask for
   */
  public Sandboxes(List<Path> hidden, WorkerPolicy policy) {
    this.policy = policy;
    Path bwrap = Bubblewrap.find("bwrap");
    this.bubblewrap = bwrap == null ? null : new Bubblewrap(bwrap, Bubblewrap.find("socat"), hidden, Path.of(System.getProperty("user.home")));
  }

  /**
   * The sandbox for a run's commands; throws when the run wants one and this worker has none, or
   * when it asks for less containment than this worker's operator allows.
   */
  public CommandSandbox forRun(String runId, Containment containment) {
    String refused = policy.refusal(runId, containment);
    if (refused != null) throw new SandboxUnavailableException(refused, true);
    if (!containment.sandbox()) return none;
    String why = problem();
    if (why == null && containment.proxied()) why = bubblewrap.problem(Network.proxied(null));
    if (why != null) throw new SandboxUnavailableException(why);
    return bubblewrap;
  }

  /** The network a run's commands get: off, through the egress proxy for its allowed hosts, or (unsandboxed, --network open) the worker's. */
  public Network network(Containment containment) {
    if (!containment.network()) return Network.off();
    if (!containment.proxied()) return Network.open();
    return Network.proxied(egress(new TreeSet<>(containment.allowHosts())));
  }

  /** Per-command process and memory limits. */
  public CommandLimits limits() {
    // Detected on first use, not when a worker (or the CLI's sandbox probe) starts: it makes cgroups.
    if (limits == null) {
      synchronized (this) {
        if (limits == null) {
          CommandLimits detected = CommandLimits.detect();
          if (detected.unavailable() != null) LOG.warn("commands run without per-command limits: {}", detected.unavailable());
          limits = detected;
        }
      }
    }
    return limits;
  }

  private synchronized Path egress(Set<String> allowHosts) {
    EgressProxy proxy = proxies.get(allowHosts);
    if (proxy != null) return proxy.socket();
    try {
      if (proxyDir == null) {
        proxyDir = Files.createTempDirectory("marathon-egress-"); // short (a socket's path has ~100 bytes), and 0700
        Runtime.getRuntime().addShutdownHook(new Thread(this::closeProxies, "marathon-egress-close"));
      }
      Path socket = proxyDir.resolve(Integer.toHexString(allowHosts.hashCode()) + "-" + proxies.size() + ".sock");
      proxy = EgressProxy.start(socket, EgressPolicy.defaults().with(allowHosts));
      proxies.put(Set.copyOf(allowHosts), proxy);
      return proxy.socket();
    } catch (IOException e) {
      throw new SandboxUnavailableException("cannot start the egress proxy: " + e.getMessage());
    } catch (IllegalArgumentException badHost) {
      throw new SandboxUnavailableException("the run's --allow-host list is not usable: " + badHost.getMessage(), true);
    }
  }

  private synchronized void closeProxies() {
    proxies.values().forEach(EgressProxy::close);
    proxies.clear();
    if (proxyDir != null) {
      try {
        Files.deleteIfExists(proxyDir);
      } catch (IOException ignored) {
        // a temp directory left behind
      }
    }
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
