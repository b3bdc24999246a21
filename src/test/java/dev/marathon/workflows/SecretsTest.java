package dev.marathon.workflows;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.call;
import static dev.marathon.testing.ScriptedModel.finish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.marathon.runtime.HistoryChain;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.TestRuns;
import dev.marathon.testing.WorkflowHarness;
import io.temporal.common.WorkflowExecutionHistory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The worker's secrets (the key's variable, and every variable named …KEY, …TOKEN, …SECRET,
 * …PASSWORD) never reach a command's environment; a secret's value that turns up anyway — in a
 * model reply, in tool-call arguments, in command output — is in neither the checkpoint store,
 * the logs, nor Temporal history. The build sets these variables for test JVMs (pom.xml).
 */
class SecretsTest {
  @TempDir Path tmp;

  static final List<String> NAMES = List.of(
      "MARATHON_TEST_KEY", "MARATHON_TEST_SERVICE_TOKEN", "MARATHON_TEST_CLIENT_SECRET", "MARATHON_TEST_DB_PASSWORD");

  static List<String> values() {
    List<String> v = new ArrayList<>();
    for (String n : NAMES) {
      String value = System.getenv(n);
      if (value == null) throw new AssertionError(n + " is not set: run the tests through Maven");
      v.add(value);
    }
    return v;
  }

  @Test
  void secretsReachNoCommandAndTheirValuesNoStoreLogOrHistory() throws Exception {
    List<String> secrets = values();
    String key = secrets.get(0);
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("leak.txt", "the token is " + secrets.get(1) + "\n"));
    ListAppender<ILoggingEvent> logs = captureLogs();
    try (ScriptedModel model = new ScriptedModel((turn, req) -> switch (turn) {
          case 1 -> Reply.tools("look at the environment", bash("env; echo key=${MARATHON_TEST_KEY:-unset}"));
          case 2 -> Reply.tools("print a file that holds a secret", bash("cat leak.txt"));
          case 3 -> new Reply("careful", "My key is " + key + ", I will write it down.", List.of(
              call("write_file", Map.of("path", "notes.txt", "content", "key: " + key + "\n")),
              bash("echo " + secrets.get(2) + " " + secrets.get(3))), 200, null, Map.of());
          default -> Reply.tools("the provider echoed " + key, finish("done; the key was " + key));
        });
        WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      h.start(TestRuns.state("secrets-1", repo, model.baseUrl(), "Handle secrets"));
      RunReport report = h.client.newUntypedWorkflowStub("secrets-1").getResult(RunReport.class);
      assertEquals(RunOutcome.FINISHED, report.outcome());
      assertTrue(model.violations().isEmpty(), model.violations().toString());

      String envOutput = model.toolResults(2);
      assertTrue(envOutput.contains("key=unset"), envOutput);
      for (String name : NAMES) assertFalse(envOutput.contains(name + "="), name + " reached a command's environment");
      assertTrue(envOutput.contains("PATH="), "the rest of the environment is there: " + envOutput);
      assertTrue(model.toolResults(3).contains("the token is [REDACTED]"), "command output is redacted");
      assertEquals("key: [REDACTED]", GitRepos.git(repo, "show", "marathon/secrets-1:notes.txt"), "tool arguments are redacted");

      String store = everything(tmp.resolve("home").resolve("store"));
      StringBuilder history = new StringBuilder();
      for (WorkflowExecutionHistory w : HistoryChain.fetch(h.client, "secrets-1")) history.append(w.toJson(false));
      StringBuilder logText = new StringBuilder();
      for (ILoggingEvent e : logs.list) logText.append(e.getFormattedMessage()).append('\n');
      assertTrue(store.length() > 1_000 && history.length() > 1_000 && !logs.list.isEmpty(), "there is something to search");
      for (String secret : secrets) {
        assertFalse(store.contains(secret), "a secret is in the checkpoint store");
        assertFalse(history.toString().contains(secret), "a secret is in Temporal history");
        assertFalse(logText.toString().contains(secret), "a secret is in the logs");
      }
    } finally {
      releaseLogs(logs);
    }
  }

  /** Every file under {@code dir}, concatenated. */
  static String everything(Path dir) throws Exception {
    StringBuilder sb = new StringBuilder();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) sb.append(new String(Files.readAllBytes(p), StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  /** Everything logged while the run goes, at DEBUG: if a secret were logged anywhere, it would be here. */
  static ListAppender<ILoggingEvent> captureLogs() {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.setContext(ctx);
    appender.start();
    Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(appender);
    root.setLevel(Level.DEBUG);
    ctx.getLogger("dev.marathon").setLevel(Level.DEBUG);
    ctx.getLogger("io.grpc").setLevel(Level.INFO);
    ctx.getLogger("io.netty").setLevel(Level.INFO);
    return appender;
  }

  static void releaseLogs(ListAppender<ILoggingEvent> appender) {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.detachAppender(appender);
    root.setLevel(Level.WARN);
    ctx.getLogger("dev.marathon").setLevel(Level.WARN);
  }
}
