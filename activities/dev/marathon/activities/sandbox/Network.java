package dev.marathon.activities.sandbox;

import java.nio.file.Path;

/**
 * What network a sandboxed command has. Always a namespace of its own unless the run was started
 * with {@code --network open}: with the network on, its only way out is a loopback port bridged
 * to Marathon's egress proxy ({@code egressSocket}, a Unix socket the worker listens on), which
 * reaches the package registries and the run's allowed hosts and never this machine's services
 * (the Temporal server, its Web UI) nor the private network.
 *
 * @param egressSocket the proxy's socket for the run's allowed hosts, or null (off, open)
 */
public record Network(Mode mode, Path egressSocket) {
  /** The port the bridge listens on inside the command's own network namespace. */
  public static final int PROXY_PORT = 3128;

  public enum Mode { OFF, PROXIED, OPEN }

  public static Network off() {
    return new Network(Mode.OFF, null);
  }

  public static Network open() {
    return new Network(Mode.OPEN, null);
  }

  public static Network proxied(Path egressSocket) {
    return new Network(Mode.PROXIED, egressSocket);
  }

  public String describe() {
    return switch (mode) {
      case OFF -> "network off";
      case PROXIED -> "network through the egress proxy";
      case OPEN -> "network open";
    };
  }
}
