package dev.marathon.runtime;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Marker;

/**
 * Lets through one of the Temporal SDK's "Failure in poller thread" warnings a minute. Each of a
 * worker's ten pollers logs every poll that fails, so while the server is away (restarted, or
 * down at 3 a.m.) a foreground run's terminal got ten warnings a wave, 91 in the first 30 s: the
 * first says what is wrong, and one a minute says it still is. Configured in logback.xml.
 */
public final class RepeatedPollFailures extends TurboFilter {
  static final String LOGGER = "io.temporal.internal.worker.BasePoller";
  static final String FORMAT = "Failure in poller thread {}";
  private static final long QUIET_NANOS = 60_000_000_000L;

  /** When the last one was let through; {@link Long#MIN_VALUE}: never. */
  private final AtomicLong lastLetThrough = new AtomicLong(Long.MIN_VALUE);
  private final LongSupplier nanoClock;

  public RepeatedPollFailures() {
    this(System::nanoTime);
  }

  RepeatedPollFailures(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (!FORMAT.equals(format) || !LOGGER.equals(logger.getName())) return FilterReply.NEUTRAL;
    long now = nanoClock.getAsLong();
    long last = lastLetThrough.get();
    if (last != Long.MIN_VALUE && now - last < QUIET_NANOS) return FilterReply.DENY;
    return lastLetThrough.compareAndSet(last, now) ? FilterReply.NEUTRAL : FilterReply.DENY;
  }
}
