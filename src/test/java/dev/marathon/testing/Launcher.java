package dev.marathon.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs {@code ./marathon} (the launcher the README uses) as a real process. */
public final class Launcher {
  public record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
  }

  /** The repository root (where the launcher lives). */
  public static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("marathon"))) p = p.getParent();
    if (p == null) throw new AssertionError("cannot find the marathon launcher above " + Path.of("").toAbsolutePath());
    return p;
  }

  public static ProcessBuilder builder(Path home, Map<String, String> env, String... args) {
    List<String> cmd = new ArrayList<>(List.of(root().resolve("marathon").toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(root().toFile());
    pb.environment().put("MARATHON_HOME", home.toString());
    pb.environment().put("MARATHON_TEMPORAL_BIN", DevServerFixture.binary().toString());
    pb.environment().remove("TEMPORAL_ADDRESS");
    pb.environment().putAll(env);
    return pb;
  }

  public static Result run(Path home, Map<String, String> env, long timeoutSeconds, String... args) throws IOException, InterruptedException {
    Path out = Files.createTempFile("marathon-out", ".txt");
    Path err = Files.createTempFile("marathon-err", ".txt");
    Process p = builder(home, env, args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new AssertionError("./marathon " + String.join(" ", args) + " did not finish in " + timeoutSeconds + " s\n"
          + Files.readString(err, StandardCharsets.UTF_8));
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }

  private Launcher() {}
}
