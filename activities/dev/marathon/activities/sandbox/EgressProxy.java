package dev.marathon.activities.sandbox;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only way out of a sandboxed command's network namespace: an HTTP proxy on a Unix domain
 * socket, which a bridge inside the namespace (socat on 127.0.0.1) forwards connections to. It
 * serves {@code CONNECT host:port} tunnels (HTTPS, and anything else spoken over TCP) and
 * absolute-form requests ({@code GET http://host/path}), one request per connection; every
 * destination goes through the {@link EgressPolicy}, which names the host list and checks the
 * addresses the connection then goes to.
 *
 * <p>A refusal is a {@code 403} whose body says why in one line, for the agent reading the client's
 * output; it is logged at INFO with the host and the reason. Nothing of a request but its target is
 * ever logged: headers may carry credentials, bodies anything.
 *
 * <p>Connections go straight to the destination: an upstream proxy the worker itself is configured
 * with ({@code https.proxyHost}, {@code HTTPS_PROXY}) is not used.
 *
 * <p>Limits: a request head of {@value #MAX_HEAD_BYTES} bytes, {@value #CONNECT_TIMEOUT_MILLIS} ms
 * to connect to each checked address, {@value #MAX_THREADS} threads (a tunnel holds two). A
 * client that opens a connection and sends nothing holds its thread until it goes or the proxy is
 * closed; the clients are the command's own processes, so that only slows the command itself.
 */
public final class EgressProxy implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EgressProxy.class);
  static final int MAX_HEAD_BYTES = 16 * 1024;
  static final int CONNECT_TIMEOUT_MILLIS = 10_000;
  static final int MAX_THREADS = 256;
  static final int LINGER_MILLIS = 2_000;
  static final int LINGER_BYTES = 1 << 20;
  /** Methods forwarded in absolute form; CONNECT is the tunnel. */
  private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH");
  /** Request headers not passed on: Host is rewritten, the rest are about the connection to the proxy. */
  private static final Set<String> DROPPED = Set.of(
      "host", "connection", "proxy-connection", "keep-alive", "proxy-authorization", "upgrade");
  private static final Map<Integer, String> REASONS = Map.of(
      400, "Bad Request", 403, "Forbidden", 405, "Method Not Allowed", 431, "Request Header Fields Too Large",
      502, "Bad Gateway", 503, "Service Unavailable", 504, "Gateway Timeout");
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final Path socket;
  private final EgressPolicy policy;
  private final ServerSocketChannel server;
  private final ThreadPoolExecutor pool = new ThreadPoolExecutor(0, MAX_THREADS, 30, TimeUnit.SECONDS,
      new SynchronousQueue<>(), r -> {
        Thread t = new Thread(r, "marathon-egress-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
      });

  private EgressProxy(Path socket, EgressPolicy policy, ServerSocketChannel server) {
    this.socket = socket;
    this.policy = policy;
    this.server = server;
  }

  /**
   * Listens on {@code socket}, which must not exist yet (a path of at most about 100 bytes: the
   * kernel's limit for Unix socket addresses).
   */
  public static EgressProxy start(Path socket, EgressPolicy policy) throws IOException {
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      server.bind(UnixDomainSocketAddress.of(socket));
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    EgressProxy proxy = new EgressProxy(socket, policy, server);
    proxy.pool.execute(proxy::accept);
    return proxy;
  }

  public Path socket() {
    return socket;
  }

  /** Stops listening, ends every open connection and removes the socket file. */
  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      log.warn("closing the egress proxy on {}: {}", socket, e.toString());
    }
    pool.shutdownNow(); // interrupting a blocked channel operation closes that channel
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      log.warn("removing the egress proxy's socket {}: {}", socket, e.toString());
    }
  }

  private void accept() {
    while (server.isOpen()) {
      SocketChannel client;
      try {
        client = server.accept();
      } catch (IOException e) {
        if (server.isOpen()) log.warn("egress proxy on {} stopped accepting: {}", socket, e.toString());
        return;
      }
      try {
        pool.execute(() -> serve(client));
      } catch (RejectedExecutionException e) {
        try (client) {
          respond(client, 503, "marathon egress: too many connections open at once");
        } catch (IOException ignored) {
          // the client went; nothing to tell it
        }
      }
    }
  }

  /** Why a request gets an error reply instead of a connection. */
  private static final class Refused extends Exception {
    final int status;

    Refused(int status, String line) {
      super(line, null, false, false);
      this.status = status;
    }
  }

  /** The request's first line, its header lines and any bytes the client sent after them. */
  private record Head(String method, String target, String version, String[] headers, ByteBuffer rest) {}

  /** A destination as the request named it. */
  private record Authority(String host, int port, String text) {}

  private void serve(SocketChannel client) {
    try (client) {
      try {
        Head head = readHead(client);
        if (head != null) handle(client, head);
      } catch (Refused r) {
        respond(client, r.status, r.getMessage());
        linger(client);
      }
    } catch (IOException e) {
      log.debug("egress connection ended: {}", e.toString());
    }
  }

  private void handle(SocketChannel client, Head head) throws Refused, IOException {
    if (head.method.equals("CONNECT")) {
      Authority to = authority(head.target, -1);
      try (SocketChannel upstream = connect(to)) {
        write(client, ByteBuffer.wrap("HTTP/1.1 200 Connection Established\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        write(upstream, head.rest);
        relay(client, upstream);
      }
      return;
    }
    if (!METHODS.contains(head.method)) {
      throw new Refused(405, "marathon egress: method " + head.method + " is not supported (CONNECT, or "
          + String.join(", ", METHODS.stream().sorted().toList()) + " with an http:// URL)");
    }
    String target = head.target;
    if (target.regionMatches(true, 0, "https://", 0, 8)) {
      throw new Refused(400, "marathon egress: https URLs go through CONNECT (use the proxy as an HTTPS proxy)");
    }
    if (!target.regionMatches(true, 0, "http://", 0, 7)) {
      throw new Refused(400, "marathon egress: this is a proxy; send CONNECT host:port or an absolute URL (GET http://host/path)");
    }
    int pathStart = 7;
    while (pathStart < target.length() && "/?#".indexOf(target.charAt(pathStart)) < 0) pathStart++;
    Authority to = authority(target.substring(7, pathStart), 80);
    String path = target.substring(pathStart);
    if (!path.startsWith("/")) path = "/" + path;
    StringBuilder out = new StringBuilder(head.method + " " + path + " " + head.version + "\r\n");
    out.append("Host: ").append(to.text).append("\r\n");
    for (String h : head.headers) {
      int colon = h.indexOf(':');
      if (colon <= 0) throw new Refused(400, "marathon egress: malformed header line");
      if (!DROPPED.contains(h.substring(0, colon).strip().toLowerCase(Locale.ROOT))) out.append(h).append("\r\n");
    }
    out.append("Connection: close\r\n\r\n");
    try (SocketChannel upstream = connect(to)) {
      write(upstream, ByteBuffer.wrap(out.toString().getBytes(StandardCharsets.ISO_8859_1)));
      write(upstream, head.rest);
      relay(client, upstream);
    }
  }

  /**
   * {@code host:port} or {@code [v6]:port}; without a port, {@code defaultPort} (-1: a port is
   * required). Host names are letters, digits, dots, hyphens and underscores; no credentials.
   */
  private static Authority authority(String text, int defaultPort) throws Refused {
    String host;
    String port;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      host = close < 0 ? "" : text.substring(1, close);
      port = close < 0 || close == text.length() - 1 ? null : text.charAt(close + 1) == ':' ? text.substring(close + 2) : "";
      if (!host.matches("[0-9A-Fa-f:.]+")) host = "";
    } else {
      int colon = text.lastIndexOf(':');
      host = colon < 0 ? text : text.substring(0, colon);
      port = colon < 0 ? null : text.substring(colon + 1);
      if (!host.matches("[A-Za-z0-9._-]+")) host = "";
    }
    if (port == null && defaultPort > 0) port = String.valueOf(defaultPort);
    if (host.isEmpty() || port == null || !port.matches("[0-9]{1,5}")) {
      throw new Refused(400, "marathon egress: '" + printable(text) + "' is not host:port");
    }
    return new Authority(host, Integer.parseInt(port), text);
  }

  /** A connection to the first of the policy's checked addresses that answers. */
  private SocketChannel connect(Authority to) throws Refused {
    EgressPolicy.Verdict verdict;
    try {
      verdict = policy.decide(to.host, to.port);
    } catch (UnknownHostException e) {
      throw new Refused(502, "marathon egress: cannot resolve " + to.host);
    }
    if (!verdict.allowed()) {
      log.info("egress refused: host={} port={} reason={}", to.host, to.port, verdict.refusal());
      throw new Refused(403, verdict.refusal());
    }
    Exception last = null;
    for (InetSocketAddress address : verdict.targets()) {
      SocketChannel upstream = null;
      try {
        upstream = SocketChannel.open();
        upstream.socket().connect(address, CONNECT_TIMEOUT_MILLIS); // the checked address: no second lookup
        upstream.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true); // a relay adds no wait to a short exchange
        return upstream;
      } catch (IOException | UnsupportedAddressTypeException e) { // the next address may be of the other family
        last = e;
        closeQuietly(upstream);
      }
    }
    int status = last instanceof SocketTimeoutException ? 504 : 502;
    throw new Refused(status, "marathon egress: cannot connect to " + to.host + ":" + to.port + " (" + last.getMessage() + ")");
  }

  /**
   * Copies both ways until both sides have finished sending: each end of input is passed on as a
   * half close; an error on either side closes both.
   */
  private void relay(SocketChannel client, SocketChannel upstream) {
    Future<?> up;
    try {
      up = pool.submit(() -> copy(client, upstream));
    } catch (RejectedExecutionException e) {
      return; // closing both is all there is to do
    }
    copy(upstream, client);
    try {
      up.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause()); // copy handles its own errors
    }
  }

  private static void copy(SocketChannel from, SocketChannel to) {
    ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
    try {
      while (from.read(buffer) >= 0) {
        buffer.flip();
        write(to, buffer);
        buffer.clear();
      }
      to.shutdownOutput();
    } catch (IOException e) {
      closeQuietly(from); // the other direction's blocked read ends with it
      closeQuietly(to);
    }
  }

  /** The request head, or null when the client closed before sending anything. */
  private static Head readHead(SocketChannel client) throws IOException, Refused {
    ByteBuffer buffer = ByteBuffer.allocate(MAX_HEAD_BYTES);
    int end;
    while ((end = headEnd(buffer)) < 0) {
      if (!buffer.hasRemaining()) {
        throw new Refused(431, "marathon egress: the request head is larger than " + MAX_HEAD_BYTES + " bytes");
      }
      if (client.read(buffer) < 0) {
        if (buffer.position() > 0) throw new Refused(400, "marathon egress: the request ended before its head did");
        return null;
      }
    }
    String text = new String(buffer.array(), 0, end, StandardCharsets.ISO_8859_1);
    String[] lines = text.split("\r?\n");
    ByteBuffer rest = ByteBuffer.wrap(buffer.array(), end, buffer.position() - end).slice();
    String[] first = lines[0].split(" ", -1);
    if (first.length != 3 || !first[0].matches("[A-Z]+") || first[1].isEmpty() || !first[2].matches("HTTP/1\\.[01]")) {
      throw new Refused(400, "marathon egress: malformed request line '" + printable(lines[0]) + "'");
    }
    String[] headers = Arrays.copyOfRange(lines, 1, lines.length);
    return new Head(first[0], first[1], first[2], headers, rest);
  }

  /** The index just past the blank line ending the head in {@code buffer}'s filled part, or -1. */
  private static int headEnd(ByteBuffer buffer) {
    byte[] b = buffer.array();
    for (int i = 0; i < buffer.position(); i++) {
      if (b[i] != '\n') continue;
      if (i + 1 < buffer.position() && b[i + 1] == '\n') return i + 2;
      if (i + 2 < buffer.position() && b[i + 1] == '\r' && b[i + 2] == '\n') return i + 3;
    }
    return -1;
  }

  private static void respond(SocketChannel client, int status, String line) throws IOException {
    byte[] body = (line + "\n").getBytes(StandardCharsets.UTF_8);
    String head = "HTTP/1.1 " + status + " " + REASONS.get(status) + "\r\nContent-Type: text/plain; charset=utf-8\r\n"
        + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
    write(client, ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)));
    write(client, ByteBuffer.wrap(body));
  }

  /**
   * After an error reply: reads and drops what the client still sends, until it closes, for at most
   * {@value #LINGER_MILLIS} ms and {@value #LINGER_BYTES} bytes. Closing with its request (a body,
   * an oversized head) unread would reset the connection, and the client could lose the reply.
   */
  private static void linger(SocketChannel client) throws IOException {
    client.shutdownOutput();
    client.configureBlocking(false);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS);
    try (Selector selector = Selector.open()) {
      client.register(selector, SelectionKey.OP_READ);
      ByteBuffer discard = ByteBuffer.allocate(8192);
      long dropped = 0;
      for (long left; dropped < LINGER_BYTES && (left = deadline - System.nanoTime()) > 0; ) {
        if (selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))) == 0) continue;
        selector.selectedKeys().clear();
        discard.clear();
        int n = client.read(discard);
        if (n < 0) return;
        dropped += n;
      }
    }
  }

  private static void write(SocketChannel to, ByteBuffer bytes) throws IOException {
    while (bytes.hasRemaining()) to.write(bytes);
  }

  /** At most 100 characters of what the client sent, without control characters, to quote it back. */
  private static String printable(String s) {
    String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
    return clean.length() > 100 ? clean.substring(0, 100) + "…" : clean;
  }

  private static void closeQuietly(SocketChannel channel) {
    if (channel == null) return;
    try {
      channel.close();
    } catch (IOException ignored) {
      // already going
    }
  }
}
