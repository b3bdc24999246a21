package dev.marathon.bench;

import java.nio.file.Path;
import java.util.Map;

/** Lets the CI test run the benchmark's measurements (sizes, heap, resume) and read the numbers. */
public final class MarathonBenchmarkProbe {

  public static Map<String, Object> run(int toolCalls, Path work, int continueAsNewEvents) throws Exception {
    MarathonBenchmark b = new MarathonBenchmark(toolCalls, work, continueAsNewEvents);
    b.run(false);
    return b.results();
  }

  private MarathonBenchmarkProbe() {}
}
