package dev.marathon.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.marathon.runtime.DevServer;
import dev.marathon.testing.Launcher;
import dev.marathon.workflows.MarathonSearchAttributes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No Docker engine runs here, so the compose file and the Dockerfile are checked without one:
 * {@code docker-compose config} (Debian's docker-compose) validates and normalizes the file, and
 * the tests hold it to what Marathon needs.
 */
class ComposeFileTest {
  static Path root;
  static JsonNode compose;

  @BeforeAll
  static void normalize() throws Exception {
    root = Launcher.root();
    Process p;
    try {
      p = new ProcessBuilder("docker-compose", "-f", root.resolve("docker-compose.yml").toString(), "config")
          .redirectErrorStream(true).start();
    } catch (java.io.IOException e) {
      throw new AssertionError("docker-compose is not installed (scripts/install-test-tools installs it): " + e.getMessage());
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), "docker-compose config rejected the file:\n" + out);
    compose = new ObjectMapper(new YAMLFactory()).readTree(out);
  }

  @Test
  void theDevServerRunsFromTheOfficialCliImageWithSqliteOnANamedVolume() {
    JsonNode temporal = compose.path("services").path("temporal");
    assertTrue(temporal.path("image").asText().startsWith("temporalio/temporal:"));
    List<String> command = strings(temporal.path("command"));
    assertEquals(List.of("server", "start-dev"), command.subList(0, 2));
    assertEquals("0.0.0.0", command.get(command.indexOf("--ip") + 1));
    String db = command.get(command.indexOf("--db-filename") + 1);
    String[] mount = mount(temporal.path("volumes").get(0));
    String volume = mount[0];
    String target = mount[1];
    assertTrue(db.startsWith(target + "/"), "the database must live on the volume");
    assertTrue(compose.path("volumes").has(volume), "a named volume");
    List<String> published = new ArrayList<>();
    for (JsonNode port : temporal.path("ports")) published.add(port.path("published").asText() + ":" + port.path("target").asText());
    assertTrue(published.containsAll(List.of("7233:7233", "8233:8233")), published.toString());
  }

  @Test
  void theComposeServerRegistersExactlyTheSearchAttributesMarathonUses() {
    List<String> command = strings(compose.path("services").path("temporal").path("command"));
    Map<String, String> registered = new TreeMap<>();
    for (int i = 0; i < command.size() - 1; i++) {
      if (command.get(i).equals("--search-attribute")) {
        String[] kv = command.get(i + 1).split("=");
        registered.put(kv[0], kv[1]);
      }
    }
    Map<String, String> expected = new TreeMap<>();
    MarathonSearchAttributes.definitions().forEach((k, v) -> expected.put(k, DevServer.cliType(v)));
    assertEquals(expected, registered);
  }

  @Test
  void theComposeServerIsTunedLikeTheDevServerMarathonStarts() {
    List<String> command = strings(compose.path("services").path("temporal").path("command"));
    List<String> tuning = new ArrayList<>();
    for (int i = 0; i < command.size() - 1; i++) if (command.get(i).equals("--dynamic-config-value")) tuning.add(command.get(i + 1));
    assertEquals(DevServer.TUNING, tuning);
  }

  @Test
  void workersAreBuiltFromTheRepoAndShareTheStoreAndWorkspaces() {
    JsonNode worker = compose.path("services").path("worker");
    assertEquals(root.toString(), worker.path("build").path("context").asText());
    assertEquals(List.of("worker", "--address", "temporal:7233"), strings(worker.path("command")));
    Map<String, String> mounts = new TreeMap<>();
    for (JsonNode v : worker.path("volumes")) mounts.put(mount(v)[1], mount(v)[0]);
    JsonNode env = worker.path("environment");
    assertTrue(compose.path("volumes").has(mounts.get(env.path("MARATHON_STORE").asText())), "store on a named volume");
    assertTrue(compose.path("volumes").has(mounts.get(env.path("MARATHON_WORKSPACES").asText())), "workspaces on a named volume");
    assertEquals("service_healthy", worker.path("depends_on").path("temporal").path("condition").asText());
  }

  @Test
  void workersMayCreateTheSandboxTheAgentsCommandsRunIn() throws Exception {
    JsonNode worker = compose.path("services").path("worker");
    List<String> security = strings(worker.path("security_opt"));
    assertTrue(security.containsAll(List.of("seccomp=unconfined", "apparmor=unconfined", "systempaths=unconfined")), security.toString());
    assertTrue(Files.readString(root.resolve("Dockerfile")).contains("bubblewrap"), "the image installs bubblewrap");
    assertTrue(Files.readString(root.resolve("Dockerfile")).contains(" socat"), "and socat, the bridge to the egress proxy");
  }

  @Test
  void theProductionProfileRunsTheRealServerOnPostgresAndWorkersOnTheSharedStore() throws Exception {
    JsonNode services = compose.path("services");
    assertEquals(List.of("dev"), strings(services.path("temporal").path("profiles")), "the dev stack is its own profile");
    assertEquals(List.of("dev"), strings(services.path("worker").path("profiles")));
    JsonNode postgres = services.path("postgres");
    assertEquals(List.of("production"), strings(postgres.path("profiles")));
    assertTrue(postgres.path("image").asText().startsWith("postgres:"), postgres.toString());
    Map<String, String> pgMounts = new TreeMap<>();
    for (JsonNode v : postgres.path("volumes")) pgMounts.put(mount(v)[1], mount(v)[0]);
    assertTrue(compose.path("volumes").has(pgMounts.get("/var/lib/postgresql/data")), "the database on a named volume");
    assertTrue(strings(postgres.path("healthcheck").path("test")).contains("pg_isready"), "a healthcheck");
    assertTrue(pgMounts.containsKey("/docker-entrypoint-initdb.d/10-marathon-worker-role.sh")
        && pgMounts.get("/docker-entrypoint-initdb.d/10-marathon-worker-role.sh").endsWith("scripts/postgres-init.sh"),
        "the workers' least-privilege role is made on a fresh volume: " + pgMounts);

    JsonNode server = services.path("temporal-pg");
    List<String> command = strings(server.path("command"));
    assertEquals("server", command.get(0));
    assertTrue(command.contains("--postgres") && command.get(command.indexOf("--postgres") + 1).startsWith("postgresql://marathon@postgres:5432/"),
        command.toString());
    assertEquals("0.0.0.0", command.get(command.indexOf("--ip") + 1), "reachable from the workers' containers");
    assertEquals("service_healthy", server.path("depends_on").path("postgres").path("condition").asText());
    assertTrue(server.path("environment").has("PGPASSWORD"), "the password from the environment, not the URL");

    JsonNode worker = services.path("worker-pg");
    assertEquals(List.of("worker", "--address", "temporal-pg:7233"), strings(worker.path("command")));
    assertTrue(worker.path("environment").path("MARATHON_STORE").asText().startsWith("postgresql://marathon_worker@postgres:5432/"),
        "workers log in as the role that may only read and add objects, not as the superuser");
    assertEquals("service_healthy", worker.path("depends_on").path("temporal-pg").path("condition").asText());
    assertTrue(strings(worker.path("security_opt")).contains("seccomp=unconfined"), "the sandbox, as in the dev profile");
    String workspaces = worker.path("environment").path("MARATHON_WORKSPACES").asText();
    for (JsonNode v : worker.path("volumes")) {
      String[] m = v.isTextual() && !v.asText().contains(":") ? new String[] {"", v.asText()} : mount(v);
      if (m[1].equals(workspaces)) {
        assertTrue(m[0].isEmpty(), "each production worker has workspaces of its own (runs move through the store and the remote): " + v);
      }
    }

    String file = Files.readString(root.resolve("docker-compose.yml"));
    assertTrue(!file.matches("(?s).*postgresql://[^@\\s]*:[^@\\s]*@.*"), "no password in a URL in the compose file");
    String dockerfile = Files.readString(root.resolve("Dockerfile"));
    assertTrue(dockerfile.contains("RUN MARATHON_HOME=/opt/marathon-home install-temporal-server"), "the image carries the real server");
  }

  @Test
  void theImageEntrypointIsTheLauncherTheReadmeUses() throws Exception {
    List<String> dockerfile = Files.readAllLines(root.resolve("Dockerfile"));
    String entrypoint = dockerfile.stream().filter(l -> l.startsWith("ENTRYPOINT")).findFirst().orElseThrow();
    assertEquals("ENTRYPOINT [\"/opt/marathon/marathon\"]", entrypoint);
    assertTrue(dockerfile.contains("WORKDIR /opt/marathon"));
    assertTrue(dockerfile.contains("COPY marathon ./marathon"), "the repo's own launcher is copied in");
    String readme = Files.readString(root.resolve("README.md"));
    assertTrue(readme.contains("./marathon run "), "the README runs tasks with the same launcher");
  }

  /** {source, target} of a volume, in either of compose's spellings. */
  static String[] mount(JsonNode v) {
    if (v.isTextual()) {
      String[] parts = v.asText().split(":");
      return new String[] {parts[0], parts[1]};
    }
    return new String[] {v.path("source").asText(), v.path("target").asText()};
  }

  static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : array) out.add(n.asText());
    return out;
  }
}
