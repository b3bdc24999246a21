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

  public Containment(Boolean sandbox, Boolean network, List<String> passEnv) {
    this(sandbox, network, passEnv, false, List.of());
  }

  /** A run that carries no containment setting, or only part of one, gets the default for the rest. */
  public static Containment orDefault(Containment c) {
    return c == null ? DEFAULT : new Containment(c.sandbox() == null || c.sandbox(), c.network() == null || c.network(),
        c.passEnv() == null ? List.of() : c.passEnv(), c.networkOpen() != null && c.networkOpen(),
        c.allowHosts() == null ? List.of() : c.allowHosts());
  }

  /** Whether commands reach the network through Marathon's egress proxy (the default), not open nor off. */
  public boolean proxied() {
    Containment c = orDefault(this);
    return c.sandbox() && c.network() && !c.networkOpen();
  }

  /** What the run asks for beyond the default containment: each one a worker's operator must allow. */
  public List<String> loosenings() {
    Containment c = orDefault(this);
    List<String> more = new java.util.ArrayList<>();
    if (!c.sandbox()) more.add("--sandbox off");
    if (c.network() && c.networkOpen()) more.add("--network open");
    if (!c.passEnv().isEmpty()) more.add("--pass-env " + String.join(",", c.passEnv()));
    return more;
  }

  /** One line for the run's details and each step: what contains its commands. */
  public String describe() {
    Containment c = orDefault(this);
    if (!c.sandbox()) {
      return "NOT SANDBOXED (--sandbox off): commands run as the worker's user, can read its environment (the model key"
          + " included) through /proc, and can reach everything that user can";
    }
    if (!c.network()) return "bubblewrap sandbox, network off";
    if (c.networkOpen()) {
      return "bubblewrap sandbox, network OPEN (--network open): commands reach this machine's services (the Temporal"
          + " server included) and the private network";
    }
    return "bubblewrap sandbox, network through Marathon's egress proxy (package registries"
        + (c.allowHosts().isEmpty() ? "" : " and " + String.join(", ", c.allowHosts())) + ")";
  }
}
