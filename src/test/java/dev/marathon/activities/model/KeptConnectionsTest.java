package dev.marathon.activities.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ServerSocketFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model's HTTP/1.1 over real sockets: a server here writes answers byte by byte, with silences, or not at all. */
class KeptConnectionsTest {
  private static final Duration TICK = Duration.ofMillis(100);
  private static final byte[] BODY = "{\"stream\":true}".getBytes(StandardCharsets.UTF_8);

  /** What the server does with one request on a connection; returns false to close the connection. */
  interface Answering {
    boolean answer(int request, Map<String, String> head, OutputStream out) throws Exception;
  }

  /** A server on a real socket that reads each request whole (head and Content-Length body) and answers as told. */
  static final class Server implements AutoCloseable {
    final ServerSocket socket;
    final AtomicInteger connections = new AtomicInteger();
    /** Connections this side has closed. */
    final AtomicInteger closed = new AtomicInteger();
    final List<Map<String, String>> heads = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;

    Server(ServerSocketFactory factory, Answering answering) throws IOException {
      socket = factory.createServerSocket(0, 50, InetAddress.getLoopbackAddress());
      thread = new Thread(() -> {
        AtomicInteger requests = new AtomicInteger();
        while (!socket.isClosed()) {
          Socket accepted;
          try {
            accepted = socket.accept();
          } catch (IOException closed) {
            return;
          }
          connections.incrementAndGet();
          Thread connection = new Thread(() -> { // each connection on its own, as servers do: a kept one blocks no other
            try (Socket s = accepted) {
              InputStream in = s.getInputStream();
              OutputStream out = s.getOutputStream();
              while (true) {
                Map<String, String> head = readRequest(in);
                if (head == null) break;
                heads.add(head);
                if (!answering.answer(requests.incrementAndGet(), head, out)) break;
              }
            } catch (Exception ended) {
              // the connection or the server is done
            }
            closed.incrementAndGet();
          }, "test-http-connection");
          connection.setDaemon(true);
          connection.start();
        }
      }, "test-http-server");
      thread.setDaemon(true);
      thread.start();
    }

    URI uri(String scheme) {
      return URI.create(scheme + "://127.0.0.1:" + socket.getLocalPort() + "/v1/chat/completions?x=1");
    }

    private static Map<String, String> readRequest(InputStream in) throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      Map<String, String> head = new java.util.LinkedHashMap<>();
      while (true) {
        int c = in.read();
        if (c < 0) return null;
        if (c != '\n') {
          line.write(c);
          continue;
        }
        String l = line.toString(StandardCharsets.UTF_8).replace("\r", "");
        line.reset();
        if (l.isEmpty()) break;
        if (head.isEmpty()) {
          head.put("", l);
        } else {
          head.put(l.substring(0, l.indexOf(':')).toLowerCase(), l.substring(l.indexOf(':') + 1).strip());
        }
      }
      byte[] body = in.readNBytes(Integer.parseInt(head.getOrDefault("content-length", "0")));
      head.put("body", new String(body, StandardCharsets.UTF_8));
      return head;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /** A server on a plain socket, answering as told. */
  static Server plain(Answering answering) throws IOException {
    return new Server(ServerSocketFactory.getDefault(), answering);
  }

  /** A client with the JVM's trust store and proxy settings. */
  static KeptConnections client() {
    return new KeptConnections(Duration.ofSeconds(5));
  }

  static void write(OutputStream out, String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  static KeptConnections.Exchange post(KeptConnections c, URI uri, Map<String, String> headers) throws IOException {
    return c.post(uri, headers, BODY, TICK, () -> {}, System.nanoTime() + Duration.ofSeconds(10).toNanos());
  }

  @Test
  void aStreamReadAcrossSilencesLosesNothingAndItsConnectionIsKept() throws Exception {
    try (Server server = plain((n, head, out) -> {
      if (n == 2) {
        write(out, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        return true;
      }
      write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
      write(out, "1");
      Thread.sleep(350); // silent in the middle of a chunk's size line
      write(out, "0;ext=1\r\ndata: {\"a\"");
      Thread.sleep(350); // and in the middle of a chunk's data
      write(out, ":12}\n\n\r\n");
      write(out, "5\r\ndata:\r\n9\r\n {\"b\":2}\n\r\n"); // one line in two chunks
      write(out, "E\r\ndata: [DONE]\n\n\r\n0\r\nX-Trailer: t\r\n\r\n");
      return true;
    })) {
      KeptConnections c = client();
      List<String> lines = new ArrayList<>();
      int silences = 0;
      try (KeptConnections.Exchange e = post(c, server.uri("http"), Map.of("X-Marathon-Turn", "3"))) {
        assertEquals(200, e.answer.status());
        assertEquals("text/event-stream", e.answer.header("content-type").orElseThrow());
        while (true) {
          String line;
          try {
            line = e.answer.readBodyLine();
          } catch (SocketTimeoutException silent) {
            silences++;
            continue;
          }
          if (line == null) break;
          lines.add(line);
        }
        assertTrue(e.answer.reusable());
      }
      assertEquals(List.of("data: {\"a\":12}", "", "data: {\"b\":2}", "data: [DONE]", ""), lines);
      assertTrue(silences >= 2, "a read timeout met in each silence at least: " + silences);
      Map<String, String> head = server.heads.get(0);
      assertEquals("POST /v1/chat/completions?x=1 HTTP/1.1", head.get(""));
      assertEquals("127.0.0.1:" + server.socket.getLocalPort(), head.get("host"));
      assertEquals("3", head.get("x-marathon-turn"));
      assertEquals("{\"stream\":true}", head.get("body"));

      try (KeptConnections.Exchange e = post(c, server.uri("http"), Map.of())) {
        e.answer.readBodyText();
      }
      assertEquals(1, server.connections.get(), "the second call went over the kept connection");
    }
  }

  @Test
  void aKeptConnectionTheServerClosedIsReplacedAndTheCallGoesOnce() throws Exception {
    try (Server server = plain((n, head, out) -> {
      write(out, "HTTP/1.1 200 OK\r\nContent-Length: " + (n + "").length() + "\r\n\r\n" + n);
      return false; // closes after each answer without saying so: the client keeps a dead connection
    })) {
      KeptConnections c = client();
      for (int i = 1; i <= 3; i++) {
        try (KeptConnections.Exchange e = post(c, server.uri("http"), Map.of())) {
          assertEquals(String.valueOf(i), e.answer.readBodyText());
        }
        while (server.closed.get() < i) Thread.sleep(1); // the server has closed it: on loopback its FIN is there
      }
      assertEquals(3, server.connections.get());
      assertEquals(3, server.heads.size(), "each call reached the server once");
    }
  }

  @Test
  void anAnswerSayingCloseIsNotKeptAndAnInterimAnswerIsSkipped() throws Exception {
    try (Server server = plain((n, head, out) -> {
      write(out, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 429 Too Many\r\nRetry-After: 7\r\nConnection: close\r\nContent-Length: 4\r\n\r\nslow");
      return true;
    })) {
      KeptConnections c = client();
      try (KeptConnections.Exchange e = post(c, server.uri("http"), Map.of())) {
        assertEquals(429, e.answer.status());
        assertEquals("7", e.answer.header("retry-after").orElseThrow());
        assertEquals("slow", e.answer.readBodyText());
        assertFalse(e.answer.reusable());
      }
      try (KeptConnections.Exchange e = post(c, server.uri("http"), Map.of())) {
        e.answer.readBodyText();
      }
      assertEquals(2, server.connections.get());
    }
  }

  @Test
  void aHeadThatNeverComesEndsAtItsDeadlineAndIsNotSentAgain() throws Exception {
    try (Server server = plain((n, head, out) -> {
      if (n == 1) write(out, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
      else Thread.sleep(5_000); // the second answer never comes in time
      return true;
    })) {
      KeptConnections c = client();
      try (KeptConnections.Exchange e = post(c, server.uri("http"), Map.of())) {
        assertEquals("", e.answer.readBodyText());
      }
      AtomicInteger waits = new AtomicInteger();
      assertThrows(KeptConnections.HeadTimeout.class,
          () -> c.post(server.uri("http"), Map.of(), BODY, TICK, waits::incrementAndGet, System.nanoTime() + Duration.ofMillis(1_000).toNanos()));
      assertTrue(waits.get() >= 3, "told once a tick while waiting: " + waits.get());
      assertEquals(1, server.connections.get(), "a slow answer on a kept connection is not taken for a stale one");
      assertEquals(2, server.heads.size());
    }
  }

  @Test
  void aKeptConnectionCutAfterTheServerHadTheRequestAWhileIsNotSentAgain() throws Exception {
    try (Server server = plain((n, head, out) -> {
      if (n == 1) {
        write(out, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        return true;
      }
      Thread.sleep(350); // works on it a while (the client waits over a tick), then the connection is cut
      return false;
    })) {
      KeptConnections c = client();
      try (KeptConnections.Exchange e = post(c, server.uri("http"), Map.of())) {
        e.answer.readBodyText();
      }
      assertThrows(IOException.class, () -> post(c, server.uri("http"), Map.of()));
      Thread.sleep(200);
      assertEquals(2, server.heads.size(), "the second request reached the server once: it may have been paid for");
    }
  }

  @Test
  void aLargeRequestGoesWholeAndTheCallerIsToldItIsAliveOnTheWay() throws Exception {
    try (Server server = plain((n, head, out) -> {
      String size = String.valueOf(head.get("body").length());
      write(out, "HTTP/1.1 200 OK\r\nContent-Length: " + size.length() + "\r\n\r\n" + size);
      return true;
    })) {
      KeptConnections c = client();
      byte[] big = "x".repeat(1_000_000).getBytes(StandardCharsets.UTF_8);
      AtomicInteger alive = new AtomicInteger();
      try (KeptConnections.Exchange e = c.post(server.uri("http"), Map.of(), big, TICK, alive::incrementAndGet,
          System.nanoTime() + Duration.ofSeconds(10).toNanos())) {
        assertEquals("1000000", e.answer.readBodyText());
      }
      assertTrue(alive.get() >= 15, "told between the request's pieces: " + alive.get());
    }
  }

  @Test
  void aProxyTheJvmNamesCarriesPlainHttpWithTheWholeUrl() throws Exception {
    try (Server proxy = plain((n, head, out) -> {
      String ok = head.get("");
      write(out, "HTTP/1.1 200 OK\r\nContent-Length: " + ok.length() + "\r\n\r\n" + ok);
      return true;
    })) {
      KeptConnections c = new KeptConnections(Duration.ofSeconds(5), null,
          java.net.ProxySelector.of(new java.net.InetSocketAddress("127.0.0.1", proxy.socket.getLocalPort())));
      try (KeptConnections.Exchange e = post(c, URI.create("http://model.example:8000/v1/chat/completions"), Map.of())) {
        assertEquals("POST http://model.example:8000/v1/chat/completions HTTP/1.1", e.answer.readBodyText());
      }
      assertEquals("model.example:8000", proxy.heads.get(0).get("host"));
    }
  }

  @Test
  void aHeaderThatCouldEndALineIsNeverSent() throws Exception {
    try (Server server = plain((n, head, out) -> true)) {
      KeptConnections c = client();
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> post(c, server.uri("http"), Map.of("X-Marathon-Run", "r\r\nAuthorization: Bearer stolen")));
      assertTrue(e.getMessage().contains("X-Marathon-Run"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> post(c, server.uri("http"), Map.of("Bad Name", "v")));
      assertThrows(IllegalArgumentException.class, () -> post(c, server.uri("http"), Map.of("Content-Length", "0")), "framing is the client's");
      assertThrows(IllegalArgumentException.class, () -> post(c, server.uri("http"), Map.of("Transfer-Encoding", "chunked")));
      Map<String, String> twice = new java.util.LinkedHashMap<>();
      twice.put("Authorization", "Bearer a");
      twice.put("authorization", "Bearer b");
      assertThrows(IllegalArgumentException.class, () -> post(c, server.uri("http"), twice));
      assertThrows(IllegalArgumentException.class, () -> post(c, URI.create("file:///etc/passwd"), Map.of()));
      Thread.sleep(100);
      assertEquals(0, server.connections.get());
    }
  }

  @Test
  void anAnswerCutShortIsAnErrorNotAShorterAnswer() throws Exception {
    try (Server server = plain((n, head, out) -> {
      write(out, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
      return false;
    })) {
      KeptConnections c = client();
      try (KeptConnections.Exchange e = post(c, server.uri("http"), Map.of())) {
        assertThrows(EOFException.class, e.answer::readBodyText);
        assertFalse(e.answer.reusable());
      }
    }
  }

  @Test
  void tlsChecksTheCertificateIsTheHosts(@TempDir Path dir) throws Exception {
    char[] pass = "changeit".toCharArray();
    KeyStore ours = keyStore(dir, "ours", "ip:127.0.0.1", pass);
    KeyStore others = keyStore(dir, "others", "dns:model.example", pass);
    for (KeyStore served : List.of(ours, others)) {
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(served, pass);
      SSLContext serverSide = SSLContext.getInstance("TLS");
      serverSide.init(keys.getKeyManagers(), null, null);
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(served); // the client trusts the certificate itself: only the name can be wrong
      SSLContext clientSide = SSLContext.getInstance("TLS");
      clientSide.init(null, trust.getTrustManagers(), null);
      try (Server server = new Server(serverSide.getServerSocketFactory(), (n, head, out) -> {
        write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        return true;
      })) {
        KeptConnections c = new KeptConnections(Duration.ofSeconds(5), clientSide.getSocketFactory(), null);
        if (served == ours) {
          try (KeptConnections.Exchange e = post(c, server.uri("https"), Map.of())) {
            assertEquals("ok", e.answer.readBodyText());
          }
          List<String> asked = Collections.synchronizedList(new ArrayList<>());
          try (ServerSocket tunnels = tunnelingProxy(asked)) {
            KeptConnections proxied = new KeptConnections(Duration.ofSeconds(5), clientSide.getSocketFactory(),
                java.net.ProxySelector.of(new java.net.InetSocketAddress("127.0.0.1", tunnels.getLocalPort())));
            try (KeptConnections.Exchange e = post(proxied, server.uri("https"), Map.of())) {
              assertEquals("ok", e.answer.readBodyText(), "TLS end to end through the proxy's tunnel");
            }
            assertEquals(List.of("CONNECT 127.0.0.1:" + server.socket.getLocalPort() + " HTTP/1.1"), asked);
          }
        } else {
          SSLHandshakeException e = assertThrows(SSLHandshakeException.class, () -> post(c, server.uri("https"), Map.of()));
          assertTrue(e.getMessage().contains("127.0.0.1"), e.getMessage());
          assertTrue(server.heads.isEmpty(), "nothing was sent to a server with another host's certificate");
        }
      }
    }
  }

  /** A proxy that answers CONNECT with a tunnel, as corporate proxies do for https. */
  private static ServerSocket tunnelingProxy(List<String> asked) throws IOException {
    ServerSocket proxy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(() -> {
      while (!proxy.isClosed()) {
        try {
          Socket client = proxy.accept();
          Map<String, String> head = Server.readRequest(client.getInputStream());
          asked.add(head.get(""));
          String[] hostPort = head.get("").split(" ")[1].split(":");
          Socket target = new Socket(hostPort[0], Integer.parseInt(hostPort[1]));
          write(client.getOutputStream(), "HTTP/1.1 200 Connection established\r\n\r\n");
          pump(client, target);
          pump(target, client);
        } catch (Exception ended) {
          // the proxy is closed
        }
      }
    }, "test-tunnel");
    t.setDaemon(true);
    t.start();
    return proxy;
  }

  private static void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      try {
        from.getInputStream().transferTo(to.getOutputStream());
      } catch (IOException ended) {
        // either side closed
      } finally {
        try {
          to.close();
          from.close();
        } catch (IOException ignored) {
          // closed already
        }
      }
    }, "test-pump");
    t.setDaemon(true);
    t.start();
  }

  private static KeyStore keyStore(Path dir, String name, String san, char[] pass) throws Exception {
    Path file = dir.resolve(name + ".p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
        "-ext", "san=" + san, "-validity", "2", "-keystore", file.toString(), "-storetype", "PKCS12",
        "-storepass", new String(pass), "-keypass", new String(pass)).redirectErrorStream(true).start();
    String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, keytool.waitFor(), "keytool: " + out);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      ks.load(in, pass);
    }
    return ks;
  }
}
