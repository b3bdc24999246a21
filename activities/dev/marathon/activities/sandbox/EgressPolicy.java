package dev.marathon.activities.sandbox;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which hosts a sandboxed command may reach through the {@link EgressProxy}, and the address it
 * reaches them at.
 *
 * <p>Two rules, in this order. First the host name: it must be on the list (exact names, or
 * {@code *.example.com} for any name under example.com, not example.com itself), unless the policy
 * {@linkplain #allowingAll() allows all}. The list comes first so that a refused name is never looked
 * up: a command cannot use this machine's DNS resolver to carry data out in the names it asks for
 * (an IP literal, which needs no lookup, has its address judged first). Then the addresses: the
 * name is resolved here, and refused if <em>any</em> of its addresses is one of this machine's or
 * a private network's (loopback, unspecified, link-local, private, carrier-grade NAT, unique-local,
 * multicast, reserved, or an IPv4 address embedded in an IPv6 one of those forms), so a public
 * name pointing at 127.0.0.1 or a cloud's metadata service reaches neither.
 * The proxy then connects to the very addresses checked here, never looking the name up again
 * (a second answer could differ: DNS rebinding).
 *
 * <p>Host names compare case-insensitively, without a trailing dot.
 */
public final class EgressPolicy {
  /** The package registries a build needs: Maven, Gradle plugins, PyPI, npm, crates.io, Go, Debian. */
  public static final List<String> DEFAULT_HOSTS = List.of(
      "repo.maven.apache.org", "repo1.maven.org",
      "plugins.gradle.org", "plugins-artifacts.gradle.org",
      "pypi.org", "files.pythonhosted.org",
      "registry.npmjs.org",
      "crates.io", "index.crates.io", "static.crates.io",
      "proxy.golang.org", "sum.golang.org",
      "deb.debian.org", "security.debian.org");

  /** Looks a name up; {@link InetAddress#getAllByName} outside tests. */
  interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  /**
   * Where to connect, or why not.
   *
   * @param targets the checked addresses, in the resolver's order; empty when refused
   * @param refusal one line for the command to read, or null when allowed
   */
  public record Verdict(List<InetSocketAddress> targets, String refusal) {
    public boolean allowed() {
      return refusal == null;
    }
  }

  private final boolean allowsAll;
  private final Set<String> hosts;
  private final Resolver resolver;
  private final boolean privateAddressesAllowed;

  private EgressPolicy(boolean allowsAll, Collection<String> hosts, Resolver resolver, boolean privateAddressesAllowed) {
    this.allowsAll = allowsAll;
    this.hosts = new LinkedHashSet<>();
    for (String h : hosts) this.hosts.add(pattern(h));
    this.resolver = resolver;
    this.privateAddressesAllowed = privateAddressesAllowed;
  }

  /** {@link #DEFAULT_HOSTS}. */
  public static EgressPolicy defaults() {
    return allowing(DEFAULT_HOSTS);
  }

  /** These host names and {@code *.suffix} patterns only. */
  public static EgressPolicy allowing(Collection<String> hosts) {
    return new EgressPolicy(false, hosts, InetAddress::getAllByName, false);
  }

  /** Any host name, for an explicitly open network; private and local addresses stay refused. */
  public static EgressPolicy allowingAll() {
    return new EgressPolicy(true, List.of(), InetAddress::getAllByName, false);
  }

  /**
   * Tests only: exactly these names, resolved to these addresses and nothing else, with the address
   * rule off so that a test can reach its own server on loopback. No public factory turns that rule
   * off.
   */
  static EgressPolicy forTests(Map<String, InetAddress> names) {
    Map<String, InetAddress> byName = new HashMap<>();
    names.forEach((name, address) -> byName.put(normalize(name), address));
    return new EgressPolicy(false, byName.keySet(), host -> {
      InetAddress a = byName.get(host);
      if (a == null) throw new UnknownHostException(host);
      return new InetAddress[] {a};
    }, true);
  }

  /** This policy with more host names or patterns (an operator's {@code --allow-host}). */
  public EgressPolicy with(Collection<String> more) {
    List<String> all = new ArrayList<>(hosts);
    all.addAll(more);
    return new EgressPolicy(allowsAll, all, resolver, privateAddressesAllowed);
  }

  public boolean allowsAll() {
    return allowsAll;
  }

  /** The allowed names and patterns, normalized. */
  public Set<String> hosts() {
    return Collections.unmodifiableSet(hosts);
  }

  /**
   * Decides whether a command may connect to {@code host:port}, looking the name up when it passes
   * the list. An IP literal, which needs no lookup, has its address judged first: allowing it would
   * not help when it is a private one, and the refusal should say so.
   *
   * @param host a name or an IP literal (IPv6 with or without brackets)
   * @throws UnknownHostException when an allowed name does not resolve
   */
  public Verdict decide(String host, int port) throws UnknownHostException {
    String name = normalize(host);
    if (port < 1 || port > 65535) return refuse("port " + port + " is out of range (1-65535)");
    boolean literal = name.contains(":") || name.matches("[0-9]+(\\.[0-9]+){0,3}");
    if (!literal && !lists(name)) return notListed(name);
    List<InetSocketAddress> targets = new ArrayList<>();
    for (InetAddress a : resolver.resolve(name)) {
      String kind = privateAddressesAllowed ? null : forbiddenKind(a);
      if (kind != null) {
        String what = literal ? name + " is" : name + " resolves to " + a.getHostAddress() + ",";
        return refuse(what + " " + kind + "; commands may not reach this machine's or the private network's services");
      }
      targets.add(new InetSocketAddress(a, port));
    }
    if (targets.isEmpty()) throw new UnknownHostException(name);
    if (!lists(name)) return notListed(name);
    return new Verdict(List.copyOf(targets), null);
  }

  private Verdict notListed(String name) {
    return refuse(name + " is not an allowed host (allowed: " + String.join(", ", hosts) + "; add it with --allow-host)");
  }

  private static Verdict refuse(String why) {
    return new Verdict(List.of(), "marathon egress: " + why);
  }

  /** Whether the host name passes the list (its addresses are checked apart). */
  boolean lists(String host) {
    String name = normalize(host);
    if (allowsAll || hosts.contains(name)) return true;
    for (String h : hosts) {
      if (h.startsWith("*.") && name.endsWith(h.substring(1))) return true;
    }
    return false;
  }

  /** Lower case, no trailing dot, no IPv6 brackets. */
  static String normalize(String host) {
    String h = host.strip().toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
    if (h.endsWith(".")) h = h.substring(0, h.length() - 1);
    return h;
  }

  private static String pattern(String host) {
    String h = normalize(host);
    String name = h.startsWith("*.") ? h.substring(2) : h;
    if (name.isEmpty() || !name.matches("[a-z0-9_.:-]+") || name.startsWith(".") || name.contains("..")) {
      throw new IllegalArgumentException("not a host name or *.domain pattern: '" + host + "'");
    }
    return h;
  }

  /**
   * What kind of this machine's or a private network's address {@code a} is ("a loopback address"),
   * or null for a public one. IPv4 addresses inside IPv6 ones (mapped {@code ::ffff:a.b.c.d},
   * compatible {@code ::a.b.c.d}, NAT64 {@code 64:ff9b::a.b.c.d}) are judged as IPv4.
   */
  static String forbiddenKind(InetAddress a) {
    if (a.isLoopbackAddress()) return "a loopback address";
    if (a.isAnyLocalAddress()) return "the unspecified address";
    if (a.isLinkLocalAddress()) return "a link-local address";
    if (a.isSiteLocalAddress()) return "a private address";
    if (a.isMulticastAddress()) return "a multicast address";
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) {
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      if (first == 0) return "a 'this network' address (0.0.0.0/8)";
      if (first == 100 && second >= 64 && second <= 127) return "a carrier-grade NAT address (100.64.0.0/10)";
      if (first >= 240) return "a reserved or broadcast address (240.0.0.0/4)";
      return null;
    }
    if (a instanceof Inet6Address) {
      if ((b[0] & 0xfe) == 0xfc) return "a unique-local address (fc00::/7)";
      byte[] embedded = embeddedIpv4(b);
      if (embedded != null) {
        try {
          String kind = forbiddenKind(InetAddress.getByAddress(embedded));
          if (kind != null) return kind + " in IPv6 form";
        } catch (UnknownHostException e) {
          throw new AssertionError(e); // four bytes are always an address
        }
      }
    }
    return null;
  }

  /** The last four bytes when the first twelve are ::ffff:0:0/96, ::/96 or 64:ff9b::/96, else null. */
  private static byte[] embeddedIpv4(byte[] b) {
    boolean zeros = true;
    for (int i = 0; i < 10; i++) zeros &= b[i] == 0;
    boolean mapped = zeros && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    boolean compatible = zeros && b[10] == 0 && b[11] == 0;
    boolean nat64 = (b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
    for (int i = 4; i < 12 && nat64; i++) nat64 = b[i] == 0;
    if (!mapped && !compatible && !nat64) return null;
    return new byte[] {b[12], b[13], b[14], b[15]};
  }
}
