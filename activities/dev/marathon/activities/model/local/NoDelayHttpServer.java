package dev.marathon.activities.model.local;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The JDK's HTTP server with Nagle's algorithm off on its connections. Left on (the JDK's
 * default), a response's headers and body go out as two small writes, and the body waits for the
 * client to acknowledge the headers, which a client that is still waiting for the body delays by
 * up to 40 ms: every model call on localhost took 22–47 ms instead of 2–10
 * ({@code scripts/bench --peers} measured it). Servers that speak to clients in short exchanges
 * (nginx, Ollama's Go server, llama.cpp's) turn it off too.
 */
public final class NoDelayHttpServer {
  /**
   * Read once, when the JDK's server classes first load: set before this process makes its
   * first HTTP server, which every server Marathon makes goes through this class for.
   */
  private static final String NO_DELAY = "sun.net.httpserver.nodelay";

  public static HttpServer create(InetSocketAddress address, int backlog) throws IOException {
    System.setProperty(NO_DELAY, "true");
    return HttpServer.create(address, backlog);
  }

  private NoDelayHttpServer() {}
}
