package dev.marathon.activities.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.marathon.activities.policy.KeyBindings;
import dev.marathon.activities.policy.WorkerPolicy;
import dev.marathon.activities.tools.Arguments;
import dev.marathon.activities.tools.BashTool;
import dev.marathon.activities.tools.ToolContext;
import dev.marathon.activities.tools.ToolOutput;
import dev.marathon.workflows.Containment;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox as a command meets it, with real bubblewrap, socat, egress proxy and cgroups: what
 * it can reach on the network, in the file system, and how many processes it may start. Needs
 * bwrap and socat (the test command installs both): without them it fails, it does not skip.
 */
class SandboxTest {
  @TempDir Path tmp;
  HttpServer local;
  Sandboxes sandboxes;
  Path workspace;
  Path home;

  @BeforeEach
  void setUp() throws Exception {
    local = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    local.createContext("/", x -> {
      byte[] b = "LOCAL-SERVICE-ANSWERED".getBytes();
      x.sendResponseHeaders(200, b.length);
      x.getResponseBody().write(b);
      x.close();
    });
    local.start();
    sandboxes = new Sandboxes(List.of(tmp.resolve("marathon")), WorkerPolicy.strict(KeyBindings.none()));
    assertEquals(null, sandboxes.problem(), "bubblewrap must work here (the test command installs it)");
    workspace = Files.createDirectories(tmp.resolve("marathon/workspaces/sb-1"));
    home = Files.createDirectories(tmp.resolve("marathon/workspaces/sb-1.marathon/home"));
  }

  @AfterEach
  void tearDown() {
    local.stop(0);
  }

  ToolOutput bash(Containment containment, String command, int seconds) {
    ToolContext context = new ToolContext(workspace, seconds, () -> { }, sandboxes.forRun("sb-1", containment), home, List.of(),
        Map.of("PATH", System.getenv("PATH"), "HOME", home.toString()), sandboxes.network(containment), sandboxes.limits());
    return new BashTool().execute(Arguments.parse("bash", dev.marathon.activities.Json.MAPPER.createObjectNode()
        .put("command", command).toString()), context);
  }

  @Test
  void withTheNetworkOnACommandReachesRegistriesButNeverThisMachinesServices() {
    int port = local.getAddress().getPort();
    ToolOutput direct = bash(Containment.DEFAULT, "curl -sS --noproxy '*' -m 5 http://127.0.0.1:" + port + "/ 2>&1; echo; "
        + "(exec 3<>/dev/tcp/127.0.0.1/" + port + ") 2>/dev/null && echo CONNECTED || echo REFUSED", 30);
    assertFalse(direct.text().contains("LOCAL-SERVICE-ANSWERED"), direct.text());
    assertTrue(direct.text().contains("REFUSED"), direct.text());
    // Through the proxy on purpose (NO_PROXY sends loopback straight to the command's own namespace, where nothing listens).
    ToolOutput proxied = bash(Containment.DEFAULT, "export no_proxy= NO_PROXY=; curl -sS -m 10 http://127.0.0.1:" + port + "/; echo;"
        + " curl -sS -m 10 http://localhost:" + port + "/; echo; curl -sS -m 10 http://169.254.169.254/latest/meta-data/; echo; curl -sS -m 10 https://example.com/ 2>&1 | head -c 300", 60);
    assertFalse(proxied.text().contains("LOCAL-SERVICE-ANSWERED"), proxied.text());
    assertTrue(proxied.text().contains("loopback"), proxied.text());
    assertTrue(proxied.text().contains("--allow-host") || proxied.text().contains("403"), proxied.text());
    ToolOutput registry = bash(Containment.DEFAULT, "curl -sS -m 30 -o /dev/null -w 'HTTP %{http_code}' https://repo.maven.apache.org/maven2/junit/junit/maven-metadata.xml", 60);
    assertTrue(registry.text().contains("HTTP 200"), "a real registry request goes through the proxy: " + registry.text());
  }

  @Test
  void withTheNetworkOffNothingAndOpenTheWorkersNetwork() {
    int port = local.getAddress().getPort();
    String reach = "(exec 3<>/dev/tcp/127.0.0.1/" + port + ") 2>/dev/null && echo CONNECTED || echo REFUSED";
    assertTrue(bash(new Containment(true, false, List.of()), reach, 30).text().contains("REFUSED"));
    WorkerPolicy allowsOpen = new WorkerPolicy(false, true, java.util.Set.of(), KeyBindings.none());
    sandboxes = new Sandboxes(List.of(tmp.resolve("marathon")), allowsOpen);
    assertTrue(bash(new Containment(true, true, List.of(), true, List.of()), reach, 30).text().contains("CONNECTED"));
  }

  @Test
  void theUsersHomeRunAndSocketsOutsideAreHidden() throws Exception {
    Path userHome = Path.of(System.getProperty("user.home"));
    Path secretFile = Files.writeString(userHome.resolve(".marathon-sandbox-test-secret"), "HOME-SECRET-CANARY\n");
    Path socketPath = Path.of("/run/marathon-sandbox-test.sock");
    Files.deleteIfExists(socketPath);
    try (ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      socket.bind(UnixDomainSocketAddress.of(socketPath));
      ToolOutput out = bash(Containment.DEFAULT, "cat " + secretFile + " 2>&1; ls -A " + userHome + " 2>&1 | tr '\\n' ' '; echo;"
          + " ls -A /run /var/run 2>&1 | tr '\\n' ' '; echo; python3 -c \"import socket; s=socket.socket(socket.AF_UNIX); s.connect('"
          + socketPath + "'); print('SOCKET-CONNECTED')\" 2>&1 | tail -1; java -XshowSettings:properties -version 2>&1 | grep user.home", 60);
      assertFalse(out.text().contains("HOME-SECRET-CANARY"), out.text());
      assertFalse(out.text().contains("SOCKET-CONNECTED"), out.text());
      assertFalse(out.text().contains(".bashrc"), "the home is hidden: " + out.text());
      assertTrue(out.text().contains("user.home = " + home), "JVM builds use the run's home: " + out.text());
    } finally {
      Files.deleteIfExists(secretFile);
      Files.deleteIfExists(socketPath);
    }
  }

  @Test
  void aForkBombMeetsItsOwnCeilingAndTheWorkerGoesOn() {
    assertEquals(null, sandboxes.limits().unavailable(), "per-command cgroups must work here");
    ToolOutput bomb = bash(Containment.DEFAULT, "bomb() { bomb | bomb & }; bomb; sleep 8", 12);
    assertTrue(bomb.text().contains("limit of " + CommandLimits.MAX_PROCESSES + " processes"), bomb.text());
    ToolOutput after = bash(Containment.DEFAULT, "echo ALIVE", 30);
    assertTrue(after.text().contains("ALIVE"), after.text());
    Thread t = new Thread(() -> { });
    t.start(); // this JVM can still start threads
  }
}
