package dev.marathon.activities.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * The egress proxy, spoken to over its Unix socket as the sandbox's bridge will: it refuses this
 * machine's and private networks' addresses whatever the name, names off the list without looking
 * them up, and malformed requests; it tunnels and forwards to what the policy allows. Nothing here
 * leaves loopback: the allowed destinations are local servers, reached through a test policy that
 * maps {@code registry.test} to 127.0.0.1.
 */
class EgressProxyTest {
  static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  @TempDir Path tmp;
  Path socket;
  EgressProxy proxy;
  ServerSocket local;

  @BeforeEach
  void localServer() throws IOException {
    socket = tmp.resolve("egress.sock");
    local = new ServerSocket(0, 50, LOOPBACK);
  }

  @AfterEach
  void stop() throws IOException {
    if (proxy != null) proxy.close();
    local.close();
  }

  EgressProxy start(EgressPolicy policy) throws IOException {
    proxy = EgressProxy.start(socket, policy);
    return proxy;
  }

  static EgressPolicy testRegistry() {
    return EgressPolicy.forTests(Map.of("registry.test", LOOPBACK));
  }

  @Test
  void loopbackByNameIsRefusedAndNothingIsReached() throws Exception {
    start(EgressPolicy.allowingAll());
    String reply = exchange("CONNECT localhost:" + local.getLocalPort() + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assertTrue(reply.startsWith("HTTP/1.1 403 Forbidden\r\n"), reply);
    assertTrue(reply.contains("marathon egress: localhost resolves to "), reply);
    assertTrue(reply.contains("a loopback address; commands may not reach"), reply);
    local.setSoTimeout(200);
    assertThrows(SocketTimeoutException.class, local::accept, "the proxy connected to the refused server");
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1:PORT", "[::1]:PORT", "10.1.2.3:443", "169.254.169.254:80", "192.168.1.1:80",
      "172.16.0.1:80", "100.64.0.1:80", "0.0.0.0:80", "224.0.0.1:80", "[fd00:ec2::254]:80", "[fe80::1]:80",
      "[::ffff:127.0.0.1]:PORT", "[::ffff:a01:203]:80", "[64:ff9b::a9fe:a9fe]:80", "127.1:PORT"})
  void localAndPrivateAddressesAreRefusedEvenWhenEveryHostIsAllowed(String target) throws Exception {
    start(EgressPolicy.allowingAll());
    String reply = exchange("CONNECT " + target.replace("PORT", String.valueOf(local.getLocalPort())) + " HTTP/1.1\r\n\r\n");
    assertTrue(reply.startsWith("HTTP/1.1 403 Forbidden\r\n"), reply);
    assertTrue(reply.contains("commands may not reach this machine's or the private network's services"), reply);
  }

  @Test
  void aListedNameThatResolvesToLoopbackIsStillRefused() throws Exception {
    start(EgressPolicy.allowing(List.of("localhost")));
    String reply = exchange("GET http://LocalHost.:" + local.getLocalPort() + "/ HTTP/1.1\r\n\r\n");
    assertTrue(reply.startsWith("HTTP/1.1 403 Forbidden\r\n"), reply);
    assertTrue(reply.contains("localhost resolves to "), reply);
  }

  @Test
  void aHostOffTheListIsRefusedNamingItAndHowToAllowIt() throws Exception {
    ListAppender<ILoggingEvent> logs = captureLogs();
    try {
      start(EgressPolicy.defaults());
      String reply = exchange("CONNECT example.com:443 HTTP/1.1\r\nProxy-Authorization: Basic c2VjcmV0\r\n\r\n");
      assertTrue(reply.startsWith("HTTP/1.1 403 Forbidden\r\n"), reply);
      String body = reply.substring(reply.indexOf("\r\n\r\n") + 4);
      assertTrue(body.startsWith("marathon egress: example.com is not an allowed host (allowed: repo.maven.apache.org, "), body);
      assertTrue(body.endsWith("; add it with --allow-host)\n"), body);
      assertEquals(1, body.lines().count(), body);
      ILoggingEvent refusal = logs.list.stream().filter(e -> e.getLevel() == Level.INFO).findFirst().orElseThrow();
      assertTrue(refusal.getFormattedMessage().contains("host=example.com"), refusal.getFormattedMessage());
      assertTrue(logs.list.stream().noneMatch(e -> e.getFormattedMessage().contains("c2VjcmV0")), "a header was logged");
    } finally {
      releaseLogs(logs);
    }
  }

  @Test
  void aPrivateLiteralIsRefusedForWhatItIsAndAPublicOneForNotBeingListed() throws Exception {
    start(EgressPolicy.defaults());
    String metadata = exchange("GET http://169.254.169.254/latest/meta-data/ HTTP/1.1\r\n\r\n");
    assertTrue(metadata.contains("marathon egress: 169.254.169.254 is a link-local address; commands may not reach"), metadata);
    String unlisted = exchange("CONNECT 203.0.113.7:443 HTTP/1.1\r\n\r\n");
    assertTrue(unlisted.contains("marathon egress: 203.0.113.7 is not an allowed host"), unlisted);
  }

  @Test
  void hostPatternsMatchNamesUnderTheDomainCaseInsensitively() {
    EgressPolicy policy = EgressPolicy.allowing(List.of("*.Example.COM.", "pypi.org"));
    assertTrue(policy.lists("a.example.com"));
    assertTrue(policy.lists("A.B.EXAMPLE.COM."));
    assertTrue(policy.lists("PyPI.org."));
    assertFalse(policy.lists("example.com"));
    assertFalse(policy.lists("badexample.com"));
    assertFalse(policy.lists("files.pypi.org"));
    assertTrue(EgressPolicy.defaults().with(List.of("example.org")).lists("example.org"));
    assertThrows(IllegalArgumentException.class, () -> EgressPolicy.allowing(List.of("exa mple.com")));
    assertThrows(IllegalArgumentException.class, () -> EgressPolicy.allowing(List.of("*")));
  }

  @Test
  void addressKindsAreJudgedByTheirBytes() throws Exception {
    for (String a : List.of("127.0.0.1", "::1", "0.0.0.0", "::", "10.0.0.1", "172.31.255.255", "192.168.0.1",
        "169.254.169.254", "fe80::1", "100.64.0.1", "100.127.255.255", "fc00::1", "fdff::1", "224.0.0.251",
        "ff02::1", "255.255.255.255", "::ffff:192.168.0.1", "::10.0.0.1", "64:ff9b::7f00:1")) {
      assertTrue(EgressPolicy.forbiddenKind(InetAddress.getByName(a)) != null, a);
    }
    byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1};
    assertTrue(EgressPolicy.forbiddenKind(InetAddress.getByAddress(mapped)) != null);
    for (String a : List.of("203.0.113.80", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:8.8.8.8")) {
      assertNull(EgressPolicy.forbiddenKind(InetAddress.getByName(a)), a);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"HELLO\r\n\r\n", "GET /path HTTP/1.1\r\nHost: registry.test\r\n\r\n",
      "CONNECT registry.test HTTP/1.1\r\n\r\n", "CONNECT registry.test:https HTTP/1.1\r\n\r\n",
      "CONNECT reg/istry.test:443 HTTP/1.1\r\n\r\n", "GET https://registry.test/ HTTP/1.1\r\n\r\n",
      "GET http://user:pw@registry.test/ HTTP/1.1\r\n\r\n", "GET http://registry.test/ HTTP/2\r\n\r\n",
      "get http://registry.test/ HTTP/1.1\r\n\r\n", "GET  http://registry.test/ HTTP/1.1\r\n\r\n"})
  void malformedRequestsGetA400(String request) throws Exception {
    start(testRegistry());
    String reply = exchange(request);
    assertTrue(reply.startsWith("HTTP/1.1 400 Bad Request\r\n"), reply);
    assertTrue(reply.contains("\r\n\r\nmarathon egress: "), reply);
  }

  @Test
  void otherMethodsGetA405AndOversizedHeadsA431() throws Exception {
    start(testRegistry());
    assertTrue(exchange("TRACE http://registry.test/ HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 405 Method Not Allowed\r\n"));
    String huge = "GET http://registry.test/ HTTP/1.1\r\nX-Big: " + "a".repeat(EgressProxy.MAX_HEAD_BYTES) + "\r\n\r\n";
    assertTrue(exchange(huge).startsWith("HTTP/1.1 431 "));
  }

  @Test
  void portsOutOfRangeAndUnresolvableNamesAreAnswered() throws Exception {
    start(testRegistry());
    assertTrue(exchange("CONNECT registry.test:0 HTTP/1.1\r\n\r\n").contains("port 0 is out of range"));
    assertTrue(exchange("CONNECT registry.test:70000 HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 403 "));
    assertTrue(exchange("CONNECT elsewhere.test:443 HTTP/1.1\r\n\r\n").contains("elsewhere.test is not an allowed host"));
    EgressPolicy unresolvable = EgressPolicy.forTests(Map.of("registry.test", LOOPBACK)).with(List.of("gone.test"));
    proxy.close();
    start(unresolvable);
    assertTrue(exchange("CONNECT gone.test:443 HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 502 Bad Gateway\r\n"));
  }

  @Test
  void connectTunnelsBytesBothWaysIncludingThoseSentWithTheRequest() throws Exception {
    Thread echo = echoServer();
    start(testRegistry());
    try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      write(client, "CONNECT Registry.Test:" + local.getLocalPort() + " HTTP/1.1\r\nHost: registry.test\r\n\r\nearly ");
      assertEquals("HTTP/1.1 200 Connection Established\r\n\r\n", readUntil(client, "\r\n\r\n"));
      assertEquals("early ", readUntil(client, " "));
      byte[] big = new byte[300_000];
      for (int i = 0; i < big.length; i++) big[i] = (byte) i;
      Thread writer = new Thread(() -> {
        try {
          write(client, ByteBuffer.wrap(big));
          client.shutdownOutput();
        } catch (IOException e) {
          throw new AssertionError(e);
        }
      });
      writer.start();
      ByteArrayOutputStream back = new ByteArrayOutputStream();
      ByteBuffer buffer = ByteBuffer.allocate(8192);
      while (client.read(buffer) >= 0) {
        back.write(buffer.array(), 0, buffer.position());
        buffer.clear();
      }
      writer.join();
      assertTrue(java.util.Arrays.equals(big, back.toByteArray()), "echoed " + back.size() + " bytes");
    }
    echo.join(5000);
  }

  @Test
  void absoluteFormRequestsAreForwardedInOriginFormWithoutProxyHeaders() throws Exception {
    HttpServer http = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 0);
    http.createContext("/", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String seen = exchange.getRequestMethod() + " " + exchange.getRequestURI() + " host=" + exchange.getRequestHeaders().getFirst("Host")
          + " connection=" + exchange.getRequestHeaders().getFirst("Connection")
          + " proxy-authorization=" + exchange.getRequestHeaders().getFirst("Proxy-Authorization")
          + " agent=" + exchange.getRequestHeaders().getFirst("User-Agent") + " body=" + new String(body, StandardCharsets.UTF_8);
      byte[] out = seen.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, out.length);
      try (OutputStream o = exchange.getResponseBody()) {
        o.write(out);
      }
    });
    http.start();
    try {
      start(testRegistry());
      String authority = "registry.test:" + http.getAddress().getPort();
      String get = exchange("GET http://" + authority + "/maven2/a%20b?x=1 HTTP/1.1\r\nHost: " + authority
          + "\r\nProxy-Authorization: Basic c2VjcmV0\r\nProxy-Connection: keep-alive\r\nUser-Agent: test/1\r\n\r\n");
      assertTrue(get.startsWith("HTTP/1.1 200 OK\r\n"), get);
      assertTrue(get.endsWith("GET /maven2/a%20b?x=1 host=" + authority + " connection=close proxy-authorization=null agent=test/1 body="), get);
      String post = exchange("POST http://" + authority + " HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
      assertTrue(post.endsWith("POST / host=" + authority + " connection=close proxy-authorization=null agent=null body=hello"), post);
    } finally {
      http.stop(0);
    }
  }

  @Test
  void closingRemovesTheSocketAndEndsOpenTunnels() throws Exception {
    Thread echo = echoServer();
    start(testRegistry());
    try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      write(client, "CONNECT registry.test:" + local.getLocalPort() + " HTTP/1.1\r\n\r\n");
      readUntil(client, "\r\n\r\n");
      proxy.close();
      assertFalse(Files.exists(socket));
      assertEquals(-1, client.read(ByteBuffer.allocate(1)));
    }
    echo.join(5000);
    assertThrows(IOException.class, () -> SocketChannel.open(UnixDomainSocketAddress.of(socket)));
  }

  /**
   * curl, the client an agent reaches for, through a TCP-to-Unix-socket bridge like the sandbox's
   * socat (here in Java, so that the test needs no socat): a tunnel, a forwarded request, and a
   * refusal whose reason curl prints.
   */
  @Test
  void curlWorksThroughATcpBridge() throws Exception {
    Path curl = Path.of("/usr/bin/curl");
    assertTrue(Files.isExecutable(curl), "curl is needed at /usr/bin/curl (apt-get install curl); SandboxTest needs it too");
    HttpServer http = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 0);
    http.createContext("/", exchange -> {
      byte[] out = "hello from the registry".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, out.length);
      try (OutputStream o = exchange.getResponseBody()) {
        o.write(out);
      }
    });
    http.start();
    start(testRegistry());
    try (ServerSocket bridge = bridge()) {
      String proxyUrl = "http://127.0.0.1:" + bridge.getLocalPort();
      String url = "http://registry.test:" + http.getAddress().getPort() + "/x";
      assertEquals("hello from the registry", run(curl.toString(), "-sS", "--proxy", proxyUrl, url));
      assertEquals("hello from the registry", run(curl.toString(), "-sS", "--proxytunnel", "--proxy", proxyUrl, url));
      String refused = run(curl.toString(), "-sS", "--proxy", proxyUrl, "http://example.com/");
      assertTrue(refused.startsWith("marathon egress: example.com is not an allowed host"), refused);
    } finally {
      http.stop(0);
    }
  }

  /** A local server that echoes one connection back and closes. */
  Thread echoServer() {
    Thread t = new Thread(() -> {
      try (Socket s = local.accept()) {
        s.getInputStream().transferTo(s.getOutputStream());
      } catch (IOException e) {
        // the test ends it
      }
    });
    t.start();
    return t;
  }

  /** What socat TCP-LISTEN:…,fork UNIX-CONNECT:… does: each TCP connection piped to the proxy's socket. */
  ServerSocket bridge() throws IOException {
    ServerSocket tcp = new ServerSocket(0, 50, LOOPBACK);
    Thread acceptor = new Thread(() -> {
      while (!tcp.isClosed()) {
        try {
          Socket s = tcp.accept();
          SocketChannel unix = SocketChannel.open(UnixDomainSocketAddress.of(socket));
          pump(s.getInputStream(), unix, s);
          pump(unix, s.getOutputStream(), s);
        } catch (IOException e) {
          return;
        }
      }
    });
    acceptor.setDaemon(true);
    acceptor.start();
    return tcp;
  }

  static void pump(InputStream from, SocketChannel to, Socket tcp) {
    daemon(() -> {
      byte[] b = new byte[8192];
      for (int n; (n = from.read(b)) >= 0; ) write(to, ByteBuffer.wrap(b, 0, n));
      to.shutdownOutput();
    });
  }

  static void pump(SocketChannel from, OutputStream to, Socket tcp) {
    daemon(() -> {
      ByteBuffer b = ByteBuffer.allocate(8192);
      while (from.read(b) >= 0) {
        to.write(b.array(), 0, b.position());
        b.clear();
      }
      tcp.shutdownOutput();
    });
  }

  interface IoRunnable {
    void run() throws IOException;
  }

  static void daemon(IoRunnable r) {
    Thread t = new Thread(() -> {
      try {
        r.run();
      } catch (IOException e) {
        // a side went away
      }
    });
    t.setDaemon(true);
    t.start();
  }

  static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "curl did not finish");
    return out;
  }

  /** Sends a request and reads the reply until the proxy closes the connection. */
  String exchange(String request) throws IOException {
    try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      write(client, request);
      ByteArrayOutputStream reply = new ByteArrayOutputStream();
      ByteBuffer buffer = ByteBuffer.allocate(8192);
      while (client.read(buffer) >= 0) {
        reply.write(buffer.array(), 0, buffer.position());
        buffer.clear();
      }
      return reply.toString(StandardCharsets.UTF_8);
    }
  }

  /** Reads one byte at a time through the first {@code end}, so that nothing after it is consumed. */
  static String readUntil(SocketChannel channel, String end) throws IOException {
    StringBuilder s = new StringBuilder();
    ByteBuffer one = ByteBuffer.allocate(1);
    while (!s.toString().endsWith(end)) {
      one.clear();
      if (channel.read(one) < 0) throw new IOException("closed after '" + s + "'");
      s.append((char) one.get(0));
    }
    return s.toString();
  }

  static void write(SocketChannel channel, String s) throws IOException {
    write(channel, ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)));
  }

  static void write(SocketChannel channel, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) channel.write(b);
  }

  static ListAppender<ILoggingEvent> captureLogs() {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.setContext(ctx);
    appender.start();
    Logger logger = ctx.getLogger(EgressProxy.class);
    logger.addAppender(appender);
    logger.setLevel(Level.DEBUG);
    return appender;
  }

  static void releaseLogs(ListAppender<ILoggingEvent> appender) {
    Logger logger = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(EgressProxy.class);
    logger.detachAppender(appender);
    logger.setLevel(null);
  }
}
