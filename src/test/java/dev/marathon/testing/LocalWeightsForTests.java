package dev.marathon.testing;

import dev.marathon.activities.model.local.LocalWeights;
import java.nio.file.Files;
import java.nio.file.Path;

/** The local model's weights the test command installed (MARATHON_MODELS); tests fail loudly without them. */
public final class LocalWeightsForTests {

  public static Path dir() {
    String env = System.getenv("MARATHON_MODELS");
    Path dir = env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".marathon", "models");
    if (!Files.isRegularFile(dir.resolve(LocalWeights.FILE))) {
      throw new AssertionError("the local model's weights are not in " + dir + ": ./marathon model install (the test command runs it)");
    }
    return dir;
  }

  private LocalWeightsForTests() {}
}
