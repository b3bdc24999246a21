package dev.marathon.activities.tools;

import dev.marathon.activities.process.ProcessGroups;
import dev.marathon.activities.sandbox.CommandLimits;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * {@code bash {command, timeout_seconds?}}: one command, one fresh process (no persistent shell),
 * in the run's sandbox ({@link ToolContext#sandbox}), in its own process group with the workspace
 * as cwd, no stdin and an allow-listed environment. On timeout or cancellation the whole group is
 * killed; in the sandbox, background processes end with the command. A non-zero exit is an
 * observation for the model, not an error of the run.
 */
public final class BashTool implements WorkspaceTool<BashTool.Call> {
  /** Output kept in the store per command; beyond it only the tail is kept. */
  static final int MAX_KEPT_BYTES = 8 * 1024 * 1024;

  @Override
  public ToolSpec spec() {
    return new ToolSpec("bash",
        "Run one shell command with bash in the workspace root and get its exit code and combined stdout/stderr."
            + " Each call is a fresh process (no state carries over: cd, exports and background processes end with the"
            + " command). Stdin is empty; use non-interactive flags. Long output is cut in the middle.",
        Schema.object()
            .required("command", Schema.string("The command, e.g. \"mvn -q test\" or \"git status\"."))
            .optional("timeout_seconds", Schema.integer(
                "How long the command may run before it is killed. Optional; the run sets a default and a cap.")),
        false);
  }

  /** @param timeoutSeconds what the model asked for, 0 when it did not (the workflow caps it) */
  public record Call(String command, int timeoutSeconds) {}

  @Override
  public Call parse(Arguments args) {
    String command = args.requiredString("command");
    if (command.isBlank()) throw new ToolException("bash: command is empty");
    return new Call(command, args.optionalInt("timeout_seconds", 0));
  }

  @Override
  public String describe(Call call) {
    return call.command();
  }

  @Override
  public boolean runsCommands() {
    return true;
  }

  @Override
  public int timeoutSeconds(Call call) {
    return call.timeoutSeconds();
  }

  @Override
  public ToolOutput run(Call call, ToolContext context) {
    try (CommandLimits.Cgroup cgroup = context.limits().open()) {
      return run(call, context, cgroup);
    }
  }

  private ToolOutput run(Call call, ToolContext context, CommandLimits.Cgroup cgroup) {
    ProcessBuilder pb = context.sandbox().process(call.command(), context.root(), context.home(), context.readable(), context.env(), context.network())
        .redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.command(cgroup.wrap(pb.command()));

    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new ToolException("bash: cannot start: " + e.getMessage());
    }
    long pgid = process.pid(); // setsid made it the leader of a new process group
    Capture capture = new Capture(process.getInputStream());
    Thread reader = new Thread(capture, "bash-output-" + pgid);
    reader.setDaemon(true);
    reader.start();
    boolean timedOut = false;
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(context.commandSeconds());
      while (!process.waitFor(1, TimeUnit.SECONDS)) {
        if (System.nanoTime() >= deadline) {
          timedOut = true;
          break;
        }
        context.heartbeat().run();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ToolException("bash: interrupted");
    } finally {
      ProcessGroups.kill(pgid); // the command's leftovers (or all of it, on timeout/cancel)
    }
    try {
      process.waitFor(5, TimeUnit.SECONDS);
      reader.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    String output = capture.text();
    String exhausted = cgroup.exhausted();
    if (exhausted != null) output += "\n[marathon: the command was limited: " + exhausted + "]";
    if (timedOut) {
      String text = "Command timed out after " + context.commandSeconds() + " s; its process group was killed.\n" + output;
      return new ToolOutput(false, BoundedText.forModel(text), fullIfCut(text), "timed out after " + context.commandSeconds() + " s");
    }
    int exit = process.exitValue();
    String text = "exit code: " + exit + "\n" + output;
    return new ToolOutput(exit == 0, BoundedText.forModel(text), fullIfCut(text),
        "exit " + exit + " · " + BoundedText.lines(output) + " lines");
  }

  private static String fullIfCut(String text) {
    return text.length() > BoundedText.MODEL_CHARS ? text : null;
  }

  /** Reads a command's output: keeps the first {@link #MAX_KEPT_BYTES}, then counts the rest. */
  private static final class Capture implements Runnable {
    private final InputStream in;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private long dropped;

    Capture(InputStream in) {
      this.in = in;
    }

    @Override
    public void run() {
      byte[] buf = new byte[8192];
      try (in) {
        int n;
        while ((n = in.read(buf)) > 0) {
          synchronized (this) {
            int room = MAX_KEPT_BYTES - kept.size();
            if (room > 0) kept.write(buf, 0, Math.min(room, n));
            if (n > room) dropped += n - Math.max(room, 0);
          }
        }
      } catch (IOException ignored) {
        // the process was killed; what was read is kept
      }
    }

    synchronized String text() {
      String s = kept.toString(StandardCharsets.UTF_8);
      return dropped > 0 ? s + "\n[… " + dropped + " more bytes of output were not kept …]" : s;
    }
  }
}
