package dev.marathon.activities.model;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * HTTP/1.1 requests to a model's server whose answers are read on the caller's thread, over connections kept between
 * calls (TLS for https, with the host's name verified).
 *
 * <p>Why not {@code java.net.http}: its answer reaches the reader through its selector thread, a
 * worker thread and a queue — three thread wake-ups for each chunk of a stream. On a busy machine
 * that made a streamed reply of 36 chunks from a model on the same machine cost 8–9 ms against
 * 1.5–3 ms read straight off the socket (measured with the benchmark's replies, two cores kept
 * busy). Over a network nobody notices; with a local model it is on every turn's path.
 *
 * <p>A kept connection the server has closed meanwhile fails at once, before its answer's first
 * byte; the request then goes once more on a fresh connection (it cannot have been answered).
 */
final class KeptConnections {
  /** A kept connection idle longer than this is closed rather than reused: servers drop idle ones on their own timers. */
  private static final long MAX_IDLE_NANOS = Duration.ofSeconds(30).toNanos();
  private static final int MAX_KEPT_PER_SERVER = 4;
  private static final int WRITE_PIECE = 64 * 1024;
  /** A connection attempt's own limit: longer than any sane handshake's round trip, shorter than a heartbeat timeout. */
  private static final Duration CONNECT_ATTEMPT = Duration.ofSeconds(3);
  /** Headers this class writes itself, or that would change the message's framing: a caller's are refused. */
  private static final java.util.Set<String> OWN_HEADERS =
      java.util.Set.of("host", "content-length", "transfer-encoding", "connection", "upgrade", "expect", "te", "keep-alive");

  /** The answer's head did not come by its deadline. */
  static final class HeadTimeout extends IOException {
    HeadTimeout() {
      super("no answer came in time");
    }
  }

  /** A connection and when it was last given back. */
  private record Kept(Socket socket, long since) {}

  /** One request's connection and its answer, read on the caller's thread; close it when done. */
  final class Exchange implements AutoCloseable {
    private final String server;
    private final Socket socket;
    final HttpAnswer answer;

    private Exchange(String server, Socket socket) throws IOException {
      this.server = server;
      this.socket = socket;
      this.answer = new HttpAnswer(socket.getInputStream());
    }

    /** Keeps the connection for the next call when its answer was read to the end and it may be reused; closes it otherwise. */
    @Override
    public void close() {
      if (answer.reusable()) {
        giveBack(server, socket);
      } else {
        closeQuietly(socket);
      }
    }
  }

  private final Duration connectTimeout;
  /** Null for the JDK's default (its trust store), looked up at the first https call: loading it costs a worker's start time. */
  private final SSLSocketFactory tls;
  /** Null for the JVM's proxy settings. */
  private final ProxySelector proxies;
  private final Map<String, Deque<Kept>> kept = new HashMap<>();

  KeptConnections(Duration connectTimeout) {
    this(connectTimeout, null, null);
  }

  /**
   * @param tls the factory of TLS sockets, trusting what it trusts (tests); null for the JDK's default
   * @param proxies where requests go through (tests); null for the JVM's proxy settings
   */
  KeptConnections(Duration connectTimeout, SSLSocketFactory tls, ProxySelector proxies) {
    this.connectTimeout = connectTimeout;
    this.tls = tls;
    this.proxies = proxies;
  }

  /**
   * Sends a POST and reads its answer's head. Reads of the answer wait at most {@code tick} before
   * throwing {@link java.net.SocketTimeoutException}, which the caller may meet by reading again.
   *
   * @param beforeHead told once per tick while it connects or the head has not come; may throw to abandon the call
   * @param headDeadline System.nanoTime() by which the head must have come
   */
  Exchange post(URI uri, Map<String, String> headers, byte[] body, Duration tick, Runnable beforeHead, long headDeadline)
      throws IOException {
    return send("POST", uri, headers, body, tick, beforeHead, headDeadline);
  }

  /** A GET, as {@link #post} otherwise. */
  Exchange get(URI uri, Map<String, String> headers, Duration tick, long headDeadline) throws IOException {
    return send("GET", uri, headers, null, tick, () -> {}, headDeadline);
  }

  private Exchange send(String method, URI uri, Map<String, String> headers, byte[] body, Duration tick, Runnable beforeHead,
      long headDeadline) throws IOException {
    String server = server(uri);
    InetSocketAddress proxy = proxyFor(uri);
    byte[] request = request(method, uri, proxy, headers, body);
    while (true) {
      Socket socket = takeKept(server);
      boolean reused = socket != null;
      if (!reused) socket = open(uri, proxy, beforeHead);
      Exchange exchange = null;
      boolean waited = false;
      try {
        exchange = new Exchange(server, socket);
        socket.setSoTimeout((int) tick.toMillis());
        OutputStream out = socket.getOutputStream();
        for (int at = 0; at < request.length; at += WRITE_PIECE) { // a large prompt on a slow link: alive between pieces
          out.write(request, at, Math.min(WRITE_PIECE, request.length - at));
          if (at + WRITE_PIECE < request.length) beforeHead.run();
        }
        out.flush();
        while (true) {
          try {
            exchange.answer.readHead();
            return exchange;
          } catch (SocketTimeoutException silent) {
            waited = true;
            if (System.nanoTime() > headDeadline) throw new HeadTimeout();
            beforeHead.run();
          }
        }
      } catch (IOException | RuntimeException e) {
        closeQuietly(socket);
        boolean answered = exchange != null && exchange.answer.anyByte();
        // A kept connection the server had closed fails at once, before any answer. One that fails after a wait may
        // have been cut while the server worked on the request: sending it again could pay for a reply twice.
        if (reused && e instanceof IOException && !(e instanceof HeadTimeout) && !answered && !waited) continue;
        throw e;
      }
    }
  }

  private static String server(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) throw new IllegalArgumentException("not an http or https URL: " + uri);
    if (uri.getHost() == null) throw new IllegalArgumentException("no host in " + uri);
    return scheme + "://" + uri.getHost() + ":" + port(uri);
  }

  private static boolean https(URI uri) {
    return uri.getScheme().equalsIgnoreCase("https");
  }

  private static int defaultPort(URI uri) {
    return https(uri) ? 443 : 80;
  }

  private static int port(URI uri) {
    return uri.getPort() >= 0 ? uri.getPort() : defaultPort(uri);
  }

  /** A connection to the URL's server, directly or through {@code proxy} (a tunnel for https), TLS for https. */
  private Socket open(URI uri, InetSocketAddress proxy, Runnable waiting) throws IOException {
    Socket plain = connect(proxy != null ? proxy : new InetSocketAddress(uri.getHost(), port(uri)), waiting);
    if (!https(uri)) return plain;
    try {
      plain.setSoTimeout((int) connectTimeout.toMillis()); // the tunnel's set-up and the handshake
      if (proxy != null) tunnel(plain, uri);
      SSLSocketFactory factory = tls != null ? tls : (SSLSocketFactory) SSLSocketFactory.getDefault();
      SSLSocket secure = (SSLSocket) factory.createSocket(plain, uri.getHost(), port(uri), true);
      SSLParameters parameters = secure.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS"); // without it a TLS socket accepts a certificate of any host
      secure.setSSLParameters(parameters);
      secure.startHandshake();
      return secure;
    } catch (IOException | RuntimeException e) {
      closeQuietly(plain);
      throw e;
    }
  }

  /** Connects in attempts of a few seconds each, telling {@code waiting} between them, until the connect timeout has passed. */
  private Socket connect(InetSocketAddress address, Runnable waiting) throws IOException {
    if (address.isUnresolved()) throw new java.net.UnknownHostException(address.getHostString());
    long deadline = System.nanoTime() + connectTimeout.toNanos();
    while (true) {
      Socket plain = new Socket();
      try {
        plain.setTcpNoDelay(true);
        plain.connect(address, (int) CONNECT_ATTEMPT.toMillis());
        return plain;
      } catch (SocketTimeoutException attempt) {
        closeQuietly(plain);
        if (System.nanoTime() > deadline) throw new SocketTimeoutException("no connection within " + connectTimeout.toSeconds() + " s");
        waiting.run();
      } catch (IOException | RuntimeException e) {
        closeQuietly(plain);
        throw e;
      }
    }
  }

  /**
   * The HTTP proxy the JVM's proxy settings name for this URL ({@code -Dhttps.proxyHost} and the
   * like, as {@code java.net.http} honoured them), or null to go direct.
   */
  private InetSocketAddress proxyFor(URI uri) {
    ProxySelector selector = proxies != null ? proxies : ProxySelector.getDefault();
    if (selector == null) return null;
    for (Proxy p : selector.select(uri)) {
      if (p.type() == Proxy.Type.HTTP && p.address() instanceof InetSocketAddress a) return a;
      if (p.type() == Proxy.Type.DIRECT) return null;
    }
    return null;
  }

  /** Asks the proxy on {@code socket} for a tunnel to the URL's host (CONNECT), for TLS to go through end to end. */
  private static void tunnel(Socket socket, URI uri) throws IOException {
    String authority = hostHeader(uri) + ":" + port(uri);
    OutputStream out = socket.getOutputStream();
    out.write(("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\nUser-Agent: marathon\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    HttpAnswer answer = new HttpAnswer(socket.getInputStream());
    answer.readHead();
    if (answer.status() / 100 != 2) throw new IOException("the proxy refused a tunnel to " + authority + ": HTTP " + answer.status());
    if (answer.buffered() > 0) throw new IOException("the proxy sent more than its answer to CONNECT");
  }

  private static String hostHeader(URI uri) {
    return uri.getHost().contains(":") && !uri.getHost().startsWith("[") ? "[" + uri.getHost() + "]" : uri.getHost();
  }

  /** The request's bytes; a header name or value that could end a line is refused, never sent. */
  private static byte[] request(String method, URI uri, InetSocketAddress proxy, Map<String, String> headers, byte[] body) {
    StringBuilder head = new StringBuilder(256);
    String target = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (uri.getRawQuery() != null) target += "?" + uri.getRawQuery();
    // Through a proxy, plain http names the whole URL (https goes through a tunnel and names the path only).
    if (!https(uri) && proxy != null) target = "http://" + hostHeader(uri) + ":" + port(uri) + target;
    int port = port(uri);
    head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    head.append("Host: ").append(hostHeader(uri)).append(port == defaultPort(uri) ? "" : ":" + port).append("\r\n");
    head.append("User-Agent: marathon\r\n"); // some gateways in front of hosted models refuse a request without one
    if (body != null) head.append("Content-Length: ").append(body.length).append("\r\n");
    java.util.Set<String> seen = new java.util.HashSet<>();
    headers.forEach((name, value) -> {
      if (!name.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) throw new IllegalArgumentException("not a header name: " + name);
      String lower = name.toLowerCase(java.util.Locale.ROOT);
      if (OWN_HEADERS.contains(lower)) throw new IllegalArgumentException("header " + name + " is the client's own to write");
      if (!seen.add(lower)) throw new IllegalArgumentException("header " + name + " given twice");
      if (value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
        throw new IllegalArgumentException("the value of header " + name + " contains a line break");
      }
      head.append(name).append(": ").append(value).append("\r\n");
    });
    head.append("\r\n");
    byte[] h = head.toString().getBytes(StandardCharsets.UTF_8);
    if (body == null) return h;
    byte[] all = new byte[h.length + body.length];
    System.arraycopy(h, 0, all, 0, h.length);
    System.arraycopy(body, 0, all, h.length, body.length);
    return all;
  }

  private synchronized Socket takeKept(String server) {
    Deque<Kept> idle = kept.get(server);
    long now = System.nanoTime();
    while (idle != null && !idle.isEmpty()) {
      Kept k = idle.pollLast();
      if (now - k.since() < MAX_IDLE_NANOS) return k.socket();
      closeQuietly(k.socket());
    }
    return null;
  }

  private synchronized void giveBack(String server, Socket socket) {
    Deque<Kept> idle = kept.computeIfAbsent(server, s -> new ArrayDeque<>());
    idle.addLast(new Kept(socket, System.nanoTime()));
    while (idle.size() > MAX_KEPT_PER_SERVER) closeQuietly(idle.pollFirst().socket());
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing more to release
    }
  }
}
