package dev.marathon.workflows;

import java.util.List;

/**
 * How the agent's commands are contained, fixed when the run starts. A run's input is written by
 * whoever can reach the Temporal server, so a worker enforces its own policy on top of it: it runs
 * a run that asks for less than the default only when its operator allowed that.
 *
 * @param sandbox run every command in an OS sandbox (bubblewrap): read-only root, writable
 *     workspace, private home, /tmp and process namespace, nothing of Marathon's home visible. Off
 *     only with {@code --sandbox off}, for machines without user namespaces; the run then says so.
 * @param network whether commands may use the network at all ({@code --network off} cuts it)
 * @param passEnv variables of the worker's environment commands get besides the allow-list
 *     ({@code --pass-env}); a variable holding a secret is never passed
 * @param networkOpen {@code --network open}: commands share the worker's network, this machine's
 *     services included; otherwise they reach the outside only through Marathon's egress proxy
 * @param allowHosts hosts the egress proxy lets commands reach besides the package registries
 *     ({@code --allow-host})
 */
public record Containment(Boolean sandbox, Boolean network, List<String> passEnv, Boolean networkOpen, List<String> allowHosts) {

  public static final Containment DEFAULT = new Containment(true, true, List.of(), false, List.of());

  /**
   * A part left out gets the default, so no accessor returns null: payloads of runs started before
   * a part existed carry nulls ({@code networkOpen} and {@code allowHosts} came with commit 2901319
   * of 2026-12-03, after the sandbox), and Jackson builds records through this constructor.
   */
  public Containment {
    sandbox = sandbox == null || sandbox;
    network = network == null || network;
    passEnv = passEnv == null ? List.of() : passEnv;
    networkOpen = networkOpen != null && networkOpen;
    allowHosts = allowHosts == null ? List.of() : allowHosts;
  }

  public Containment(Boolean sandbox, Boolean network, List<String> passEnv) {
    this(sandbox, network, passEnv, false, List.of());
  }

  /** Whether commands reach the network through Marathon's egress proxy (the default), not open nor off. */
  public boolean proxied() {
    return sandbox && network && !networkOpen;
  }

  /** What the run asks for beyond the default containment: each one a worker's operator must allow. */
  public List<String> loosenings() {
    List<String> more = new java.util.ArrayList<>();
    if (!sandbox) more.add("--sandbox off");
    if (network && networkOpen) more.add("--network open");
    if (!passEnv.isEmpty()) more.add("--pass-env " + String.join(",", passEnv));
    return more;
  }

  /** One line for the run's details and each step: what contains its commands. */
  public String describe() {
    if (!sandbox) {
      return "NOT SANDBOXED (--sandbox off): commands run as the worker's user, can read its environment (the model key"
          + " included) through /proc, and can reach everything that user can";
    }
    if (!network) return "bubblewrap sandbox, network off";
    if (networkOpen) {
      return "bubblewrap sandbox, network OPEN (--network open): commands reach this machine's services (the Temporal"
          + " server included) and the private network";
    }
    return "bubblewrap sandbox, network through Marathon's egress proxy (package registries"
        + (allowHosts.isEmpty() ? "" : " and " + String.join(", ", allowHosts)) + ")";
  }
}
