package dev.marathon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * What a worker's log line puts in the user's terminal when it carries an exception: the messages
 * of its chain, each with the frame it was thrown at, not the SDK's and gRPC's whole stack (a
 * workspace step that missed its heartbeat printed sixty lines of them into a foreground run);
 * MARATHON_DEBUG=1 (the launcher's MARATHON_STACK_DEPTH=full) gives them whole. And while the
 * server is away, one of the SDK's poll failures a minute, not ten a wave.
 */
class LogOutputTest {

  @Test
  void anExceptionIsItsChainsMessagesWithOneFrameEach() throws Exception {
    String out = logged(null);
    assertTrue(out.contains("WARN  i.t.i.w.ActivityWorker - completing the activity failed"), out);
    assertTrue(out.contains("java.lang.RuntimeException: completion refused"), out);
    assertTrue(out.contains("Caused by: java.lang.IllegalStateException: NOT_FOUND: activity already timed out"), out);
    assertEquals(2, frames(out), out);
  }

  @Test
  void aDebuggingUserGetsWholeStackTraces() throws Exception {
    String out = logged("full");
    assertTrue(out.contains("Caused by: java.lang.IllegalStateException: NOT_FOUND: activity already timed out"), out);
    assertTrue(frames(out) > 40, out);
  }

  @Test
  void aServerAwayIsOnePollFailureAMinuteNotTenAWave() throws Exception {
    String out = logged(null, ctx -> {
      for (int wave = 0; wave < 3; wave++) {
        for (int poller = 1; poller <= 10; poller++) {
          ctx.getLogger("io.temporal.internal.worker.BasePoller").warn("Failure in poller thread {}",
              "Workflow Poller taskQueue=\"marathon\": " + poller, new RuntimeException("UNAVAILABLE: io exception"));
        }
      }
      ctx.getLogger("io.temporal.internal.worker.ActivityWorker").warn("something else");
    });
    assertEquals(1, out.lines().filter(l -> l.contains("Failure in poller thread")).count(), out);
    assertTrue(out.contains("UNAVAILABLE: io exception"), out);
    assertTrue(out.contains("something else"), out);
  }

  /** What the project's logback.xml writes to stderr for one WARN with a two-exception chain. */
  private static String logged(String stackDepth) throws Exception {
    return logged(stackDepth, ctx -> ctx.getLogger("io.temporal.internal.worker.ActivityWorker")
        .warn("completing the activity failed", new RuntimeException("completion refused", thrownDeep(30))));
  }

  /** What the project's logback.xml writes to stderr while {@code logging} logs. */
  private static String logged(String stackDepth, java.util.function.Consumer<LoggerContext> logging) throws Exception {
    LoggerContext ctx = new LoggerContext();
    ctx.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter()); // a context of its own, not the test JVM's
    if (stackDepth != null) ctx.putProperty("MARATHON_STACK_DEPTH", stackDepth);
    JoranConfigurator config = new JoranConfigurator();
    config.setContext(ctx);
    config.doConfigure(LogOutputTest.class.getResource("/logback.xml"));
    // What the configured appender writes, and nothing another thread of this JVM prints to stderr.
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ((ConsoleAppender<ILoggingEvent>) ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR")).setOutputStream(bytes);
    try {
      logging.accept(ctx);
    } finally {
      ctx.stop();
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static Exception thrownDeep(int depth) {
    return depth == 0 ? new IllegalStateException("NOT_FOUND: activity already timed out") : thrownDeep(depth - 1);
  }

  private static long frames(String out) {
    return out.lines().filter(l -> l.startsWith("\tat ")).count();
  }
}
