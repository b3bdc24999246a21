package dev.marathon.cli;

import dev.marathon.runtime.Connection;
import dev.marathon.runtime.MarathonHome;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** Where the Temporal server is; shared by every command that talks to it. */
final class ConnectionOptions {
  @Option(names = "--address", paramLabel = "HOST:PORT",
      description = "Temporal frontend address (default: $TEMPORAL_ADDRESS or 127.0.0.1:7233).")
  String address;

  @Option(names = "--namespace", paramLabel = "NS", defaultValue = "default",
      description = "Temporal namespace (default: ${DEFAULT-VALUE}).")
  String namespace;

  String address() {
    return address != null ? address : Connection.defaultAddress();
  }

  /** Connects; {@code startIfMissing} lets a local server be started when none answers. */
  Connection open(boolean startIfMissing, PrintWriter err) {
    return Connection.open(address(), namespace, startIfMissing, MarathonHome.fromEnvironment(), err);
  }
}
