package dev.marathon.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** One of the SDK's poll failures a minute gets through, on a clock the test moves. */
class RepeatedPollFailuresTest {
  private final AtomicLong nanos = new AtomicLong(1_000);
  private final RepeatedPollFailures filter = new RepeatedPollFailures(nanos::get);
  private final LoggerContext ctx = new LoggerContext();

  private FilterReply pollFailure() {
    return filter.decide(null, ctx.getLogger(RepeatedPollFailures.LOGGER), Level.WARN, RepeatedPollFailures.FORMAT,
        new Object[] {"Workflow Poller"}, new RuntimeException("UNAVAILABLE"));
  }

  @Test
  void theFirstGetsThroughThenOneAMinute() {
    assertEquals(FilterReply.NEUTRAL, pollFailure());
    nanos.addAndGet(59_000_000_000L);
    assertEquals(FilterReply.DENY, pollFailure());
    nanos.addAndGet(1_000_000_000L);
    assertEquals(FilterReply.NEUTRAL, pollFailure(), "a minute after the last one let through");
    assertEquals(FilterReply.DENY, pollFailure());
  }

  @Test
  void otherMessagesAreNotItsBusiness() {
    assertEquals(FilterReply.NEUTRAL, pollFailure());
    assertEquals(FilterReply.NEUTRAL, filter.decide(null, ctx.getLogger(RepeatedPollFailures.LOGGER), Level.WARN,
        "DEADLINE_EXCEEDED in poller thread {}", null, null));
    assertEquals(FilterReply.NEUTRAL, filter.decide(null, ctx.getLogger("io.temporal.internal.worker.ActivityWorker"), Level.WARN,
        RepeatedPollFailures.FORMAT, null, null));
  }

  @Test
  void itNamesTheSdksPollerAndItsMessageAsTheyAre() throws Exception {
    // An SDK upgrade that renames the class or rewords the warning would turn the filter off without a word.
    Class<?> poller = Class.forName(RepeatedPollFailures.LOGGER);
    try (var in = poller.getResourceAsStream("BasePoller$PollerUncaughtExceptionHandler.class")) {
      String constants = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
      assertEquals(true, constants.contains(RepeatedPollFailures.FORMAT), "the SDK's poll failure warning is worded otherwise now");
    }
  }
}
