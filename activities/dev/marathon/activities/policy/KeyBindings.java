package dev.marathon.activities.policy;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which hosts each key may be sent to, as this worker's own configuration says: a preset binds its
 * key variable to its base URL's host ({@code ZAI_API_KEY} to {@code api.z.ai}), an operator binds
 * more with {@code MARATHON_KEY_HOSTS=MY_KEY=gpu-box:9000,other;OTHER_KEY=host}. A run's input
 * names a key variable and a URL; whoever can reach the Temporal server can write one, so a worker
 * sends the key only where it is bound.
 */
public final class KeyBindings {
  /** The operator's bindings, beside the presets': {@code VAR=host[:port][,host…][;VAR=…]}. */
  public static final String ENV = "MARATHON_KEY_HOSTS";

  private final Map<String, Set<String>> hosts;

  private KeyBindings(Map<String, Set<String>> hosts) {
    this.hosts = hosts;
  }

  public static KeyBindings none() {
    return new KeyBindings(Map.of());
  }

  /** Binds each key variable to its base URL's host: {@code presets} maps variable to URL. */
  public static KeyBindings of(Map<String, List<String>> urlsByKey, String operatorBindings) {
    Map<String, Set<String>> hosts = new LinkedHashMap<>();
    urlsByKey.forEach((key, urls) -> {
      for (String url : urls) {
        String authority = authority(url);
        if (authority != null) hosts.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(authority);
      }
    });
    if (operatorBindings != null) {
      for (String binding : operatorBindings.split(";")) {
        if (binding.isBlank()) continue;
        int eq = binding.indexOf('=');
        if (eq <= 0) throw new IllegalArgumentException(ENV + ": '" + binding + "' is not VAR=host[,host...]");
        for (String host : binding.substring(eq + 1).split(",")) {
          if (host.isBlank()) continue;
        String h = host.strip().toLowerCase(Locale.ROOT);
        // With a scheme, exactly that endpoint; a bare host[:port] is the operator's own, any scheme.
        hosts.computeIfAbsent(binding.substring(0, eq).strip(), k -> new LinkedHashSet<>()).add(h.contains("://") ? authority(h) : h);
        }
      }
    }
    return new KeyBindings(hosts);
  }

  /** These bindings and one more: {@code key} to {@code url}'s host (what a {@code run} command's user typed for that run). */
  public KeyBindings and(String key, String url) {
    if (key == null || authority(url) == null) return this;
    Map<String, Set<String>> more = new LinkedHashMap<>(hosts);
    more.put(key, new LinkedHashSet<>(hosts.getOrDefault(key, Set.of())));
    more.get(key).add(authority(url));
    return new KeyBindings(more);
  }

  /** Null when the key in {@code key} may go to {@code url}, else why not, naming the variable (never its value). */
  public String refusal(String key, String url) {
    String authority = authority(url);
    Set<String> bound = hosts.getOrDefault(key, Set.of());
    if (authority != null) {
      String hostPort = authority.substring(authority.indexOf("://") + 3);
      String host = hostPort.replaceFirst(":\\d+$", "");
      // A preset binds scheme, host and port (no key in clear text to https://api.z.ai's port 443 over http);
      // an operator's bare host binds any port and scheme of it.
      if (bound.contains(authority) || bound.contains(hostPort) || bound.contains(host)) return null;
    }
    return "this worker does not send " + key + " to " + (authority == null ? "'" + url + "'" : authority.replaceFirst("^https?://", "")) + ": "
        + (bound.isEmpty() ? "no host is bound to it" : "it is bound to " + String.join(", ", bound))
        + ". A run's input can name any URL; bind the key on the worker (" + ENV + "=" + key + "=HOST, or a preset in"
        + " ~/.marathon/config.json) if that host is yours";
  }

  /** {@code scheme://host:port} of a URL, lower case, the port explicit; null when it is not an http(s) URL with a host. */
  static String authority(String url) {
    try {
      URI u = URI.create(url);
      if (u.getHost() == null || u.getScheme() == null || !u.getScheme().matches("(?i)https?") || u.getUserInfo() != null) return null;
      int port = u.getPort() == -1 ? defaultPort(url) : u.getPort();
      return u.getScheme().toLowerCase(Locale.ROOT) + "://" + u.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static int defaultPort(String url) {
    return url.regionMatches(true, 0, "https:", 0, 6) ? 443 : 80;
  }
}
