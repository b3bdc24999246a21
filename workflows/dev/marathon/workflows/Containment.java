package dev.marathon.workflows;

import java.util.List;

/**
 * How the agent's commands are contained, fixed when the run starts.
 *
 * @param sandbox run every command in an OS sandbox (bubblewrap): read-only root, writable
 *     workspace, private /tmp and process namespace, nothing of Marathon's home visible. Off only
 *     with {@code --sandbox off}, for machines without user namespaces; the run then says so.
 * @param network whether commands may use the network ({@code --network off} cuts it)
 * @param passEnv variables of the worker's environment commands get besides the allow-list
 *     ({@code --pass-env}); a variable holding a secret is never passed
 */
public record Containment(Boolean sandbox, Boolean network, List<String> passEnv) {

  public static final Containment DEFAULT = new Containment(true, true, List.of());

  /** Runs started before 0.2 carry no containment setting: they get the default. */
  public static Containment orDefault(Containment c) {
    return c == null ? DEFAULT : new Containment(c.sandbox() == null || c.sandbox(), c.network() == null || c.network(),
        c.passEnv() == null ? List.of() : c.passEnv());
  }

  /** One line for the run's details and each step: what contains its commands. */
  public String describe() {
    Containment c = orDefault(this);
    if (!c.sandbox()) {
      return "no sandbox (--sandbox off): commands run as the worker's user, can read its environment (the model key"
          + " included) through /proc, and can reach everything that user can";
    }
    return "bubblewrap sandbox, network " + (c.network() ? "on" : "off");
  }
}
