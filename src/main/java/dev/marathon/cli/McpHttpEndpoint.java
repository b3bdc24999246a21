package dev.marathon.cli;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.DefaultServerTransportSecurityValidator;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Function;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * {@code ./marathon mcp --http PORT}: the MCP server over streamable HTTP, on the loopback only.
 * Every request carries a bearer token ({@code $MARATHON_MCP_TOKEN}, or one made at start and
 * printed once), so other local users and the agents of runs cannot drive it; a web page in the
 * user's browser cannot either (DNS rebinding): requests that name another host, or carry any
 * browser {@code Origin}, are refused by the SDK's validator.
 */
final class McpHttpEndpoint implements AutoCloseable {
  private final Server jetty;
  private final McpSyncServer mcp;
  private final String url;

  private McpHttpEndpoint(Server jetty, McpSyncServer mcp, String url) {
    this.jetty = jetty;
    this.mcp = mcp;
    this.url = url;
  }

  static McpHttpEndpoint start(int port, String token, McpJsonMapper json, Function<McpServer.SyncSpecification<?>, McpSyncServer> build)
      throws Exception {
    Server jetty = new Server();
    ServerConnector connector = new ServerConnector(jetty);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    jetty.addConnector(connector);
    HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
        .jsonMapper(json)
        .mcpEndpoint("/mcp")
        .securityValidator(DefaultServerTransportSecurityValidator.builder()
            .allowedHosts(List.of("127.0.0.1:" + port, "localhost:" + port))
            .allowedOrigins(List.of())
            .build())
        .build();
    McpSyncServer mcp = build.apply(McpServer.sync(transport));
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    byte[] expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    context.addFilter(new FilterHolder((Filter) (request, response, chain) -> {
      String given = ((HttpServletRequest) request).getHeader("Authorization");
      if (given != null && MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
        chain.doFilter(request, response);
      } else {
        HttpServletResponse refused = (HttpServletResponse) response;
        refused.setHeader("WWW-Authenticate", "Bearer");
        refused.sendError(401, "send Authorization: Bearer <the token ./marathon mcp --http printed, or $MARATHON_MCP_TOKEN>");
      }
    }), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(transport), "/*");
    jetty.setHandler(context);
    try {
      jetty.start();
    } catch (java.io.IOException e) {
      mcp.close();
      jetty.stop();
      throw new BadInputException("--http " + port + ": cannot listen on 127.0.0.1:" + port + " (" + e.getMessage() + ")");
    }
    return new McpHttpEndpoint(jetty, mcp, "http://127.0.0.1:" + port + "/mcp");
  }

  String url() {
    return url;
  }

  /** Serves until the process is stopped. */
  void join() throws InterruptedException {
    jetty.join();
  }

  @Override
  public void close() throws Exception {
    mcp.closeGracefully();
    jetty.stop();
  }
}
