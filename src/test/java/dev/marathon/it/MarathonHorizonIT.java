package dev.marathon.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.bench.MarathonBenchmarkProbe;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark's reduced version in CI: 400 tool calls on the real dev server, continuing as new
 * every 400 events (a turn's four calls are one activity, so 400 calls make about 1,300 events).
 * It asserts sizes and counts, never times; the numbers are printed.
 */
class MarathonHorizonIT {
  @TempDir Path tmp;

  @Test
  void fourHundredToolCallsStayWithinEveryBound() throws Exception {
    Map<String, Object> r = MarathonBenchmarkProbe.run(400, tmp, 400);
    r.forEach((k, v) -> System.out.printf("  %-32s %s%n", k, v));
    long chain = ((Number) r.get("runsInChain")).longValue();
    long events = ((Number) r.get("maxEventsPerRun")).longValue();
    long bytes = ((Number) r.get("maxHistoryBytesPerRun")).longValue();
    long payload = ((Number) r.get("largestPayloadBytes")).longValue();
    assertTrue(((Number) r.get("toolCalls")).intValue() >= 400, r.toString());
    assertTrue(chain >= 3, "continue-as-new made a chain: " + chain);
    assertTrue(events < 400 + 100, "no run grows past the threshold: " + events);
    assertTrue(events < 10_240 && bytes < 10 * 1024 * 1024, "far below the history warnings");
    // The final result is the largest: the run's state rides in it, for reading an ended run back without a replay.
    assertTrue(payload <= 10 * 1024, "the README says the largest payload is about 4 KB, and 8 KB for the result: " + payload);

    // Store growth is linear in new content: 10x the steps, about 10x the bytes (not 100x).
    double growth = ((Number) r.get("storeBytes")).doubleValue() / ((Number) r.get("storeBytesAfter40Steps")).doubleValue();
    assertTrue(growth > 5 && growth < 16, "store grew " + growth + "x for 10x the steps");

    // Flat worker heap: after 400 steps about what it was after 40.
    double heap40 = ((Number) r.get("heapAfter40StepsMb")).doubleValue();
    double heap400 = ((Number) r.get("heapAfter400StepsMb")).doubleValue();
    assertTrue(heap400 < heap40 + 16, "worker heap grew from " + heap40 + " MB to " + heap400 + " MB");
    assertTrue(((Number) r.get("resumeLatencyMs")).longValue() > 0);
  }
}
