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
        Map.of("PATH", System.getenv("PATH"), "HOME", home.toString()), sandboxes.network(containment), sandboxes.limits(),
        new dev.marathon.activities.GitWorkTreeFiles());
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
    WorkerPolicy allowsOpen = new WorkerPolicy(false, true, false, java.util.Set.of(), KeyBindings.none());
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
          + socketPath + "'); print('SOCKET-CONNECTED')\" 2>&1 | tail -1; echo \"shadow:$(head -c 5 /etc/shadow 2>&1)\"; java -XshowSettings:properties -version 2>&1 | grep user.home", 60);
      assertFalse(out.text().contains("HOME-SECRET-CANARY"), out.text());
      assertFalse(out.text().contains("SOCKET-CONNECTED"), out.text());
      assertFalse(out.text().contains(".bashrc"), "the home is hidden: " + out.text());
      assertTrue(out.text().contains("shadow:") && !out.text().contains("shadow:root"), "password hashes are hidden, even from root: " + out.text());
      assertTrue(out.text().contains("user.home = " + home), "JVM builds use the run's home: " + out.text());
    } finally {
      Files.deleteIfExists(secretFile);
      Files.deleteIfExists(socketPath);
    }
  }

  /**
   * A real Maven build in the sandbox that needs an artifact the user has never downloaded: it
   * comes through the egress proxy into the run's home; what the user has (the plugins) is read
   * from their local repository; the user's repository is not written.
   */
  @Test
  void aMavenBuildNeedingANewArtifactPasses() throws Exception {
    Path userRepository = Path.of(System.getProperty("user.home"), ".m2/repository");
    String[] fresh = null;
    for (String[] gav : new String[][] {{"org.apache.commons", "commons-collections4", "4.4", "org.apache.commons.collections4.bag.HashBag"},
        {"org.apache.commons", "commons-lang3", "3.13.0", "org.apache.commons.lang3.StringUtils"},
        {"com.google.code.findbugs", "jsr305", "3.0.1", "javax.annotation.Nonnull"},
        {"org.apache.commons", "commons-lang3", "3.12.0", "org.apache.commons.lang3.StringUtils"}}) {
      if (!Files.exists(userRepository.resolve(gav[0].replace('.', '/')).resolve(gav[1]).resolve(gav[2]))) {
        fresh = gav;
        break;
      }
    }
    if (fresh == null) throw new AssertionError("every candidate artifact is already in " + userRepository + "; add one that is not");
    Files.writeString(workspace.resolve("pom.xml"), """
        <project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
          <groupId>t</groupId><artifactId>t</artifactId><version>1</version>
          <properties><maven.compiler.release>17</maven.compiler.release><project.build.sourceEncoding>UTF-8</project.build.sourceEncoding></properties>
          <dependencies><dependency><groupId>%s</groupId><artifactId>%s</artifactId><version>%s</version></dependency></dependencies>
          <build><plugins>
            <plugin><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version></plugin>
            <plugin><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
          </plugins></build>
        </project>
        """.formatted(fresh[0], fresh[1], fresh[2]));
    Path source = Files.createDirectories(workspace.resolve("src/main/java/t"));
    Files.writeString(source.resolve("T.java"), "package t; class T { Class<?> c = " + fresh[3] + ".class; }\n");
    ToolOutput build = bash(Containment.DEFAULT, "mvn -B -ntp -q compile 2>&1 | grep -v 'Picked up JAVA_TOOL_OPTIONS' | tail -30; echo BUILD-EXIT ${PIPESTATUS[0]}", 300);
    assertTrue(build.text().contains("BUILD-EXIT 0"), build.text());
    Path artifact = Path.of(fresh[0].replace('.', '/'), fresh[1], fresh[2], fresh[1] + "-" + fresh[2] + ".jar");
    assertTrue(Files.isRegularFile(home.resolve(".m2/repository").resolve(artifact)), "downloaded into the run's home");
    assertFalse(Files.exists(userRepository.resolve(artifact)), "the user's repository was not written");
    assertTrue(Files.isRegularFile(workspace.resolve("target/classes/t/T.class")));
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
