package dev.marathon.runtime;

/** A {@code host:port} address, as Temporal clients take it. */
public record HostPort(String host, int port) {

  public static HostPort parse(String address) {
    int colon = address.lastIndexOf(':');
    if (colon <= 0) throw new IllegalArgumentException("address must be host:port, got '" + address + "'");
    try {
      return new HostPort(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("address must be host:port, got '" + address + "'");
    }
  }
}
