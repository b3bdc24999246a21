package dev.marathon.cli;

import dev.marathon.runtime.Connection;
import dev.marathon.runtime.MarathonHome;
import dev.marathon.runtime.ServerHttpApi;
import java.io.PrintWriter;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Where the Temporal server is; shared by every command that talks to it. Checked while parsing. */
final class ConnectionOptions {
  String address;
  String namespace;

  @Option(names = "--address", paramLabel = "HOST:PORT",
      description = "Temporal frontend address (default: $TEMPORAL_ADDRESS or 127.0.0.1:7233).")
  void address(String value) {
    address = value == null ? null : OptionChecks.address("--address", value);
  }

  @Option(names = "--namespace", paramLabel = "NS", defaultValue = "default",
      description = "Temporal namespace (default: ${DEFAULT-VALUE}).")
  void namespace(String value) {
    namespace = OptionChecks.notBlank("--namespace", value);
  }

  /** The address: {@code --address}, else {@code $TEMPORAL_ADDRESS} (checked here), else the default. */
  String address() {
    if (address != null) return address;
    String env = System.getenv("TEMPORAL_ADDRESS");
    return env != null && !env.isBlank() ? OptionChecks.address("TEMPORAL_ADDRESS", env) : Connection.defaultAddress();
  }

  /**
   * These options where given, else {@code later}'s: a command that hands the rest of its line to
   * another command's parser ({@code schedule create}, then run's options) finds them on either side.
   */
  ConnectionOptions or(ConnectionOptions later) {
    ConnectionOptions both = new ConnectionOptions();
    both.address = address != null ? address : later.address;
    both.namespace = !"default".equals(namespace) ? namespace : later.namespace;
    return both;
  }

  /**
   * The server's HTTP API, where the short commands go first without starting gRPC: there only for
   * a server Marathon started on this machine ({@link ServerHttpApi#beside} says when).
   */
  Optional<ServerHttpApi> httpApi() {
    return ServerHttpApi.beside(address(), MarathonHome.fromEnvironment(), System.getenv());
  }

  /** Connects; {@code startIfMissing} lets a local server be started when none answers. */
  Connection open(boolean startIfMissing, PrintWriter err) {
    return Connection.open(address(), namespace, startIfMissing, MarathonHome.fromEnvironment(), err);
  }
}
