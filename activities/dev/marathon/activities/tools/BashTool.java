package dev.marathon.activities.tools;

import dev.marathon.activities.process.ProcessGroups;
import dev.marathon.activities.sandbox.CommandLimits;
import dev.marathon.activities.sandbox.SandboxSession;
import dev.marathon.activities.sandbox.SandboxSessions;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * {@code bash {command, timeout_seconds?}}: one command, one fresh process (no persistent shell),
 * in the run's sandbox ({@link ToolContext#sandbox}), in its own process group with the workspace
 * as cwd, no stdin and an allow-listed environment. On timeout or cancellation the whole group is
 * killed; in the sandbox, background processes end with the command. A non-zero exit is an
 * observation for the model, not an error of the run. In bubblewrap with limits, the command runs
 * in the run's kept sandbox ({@link SandboxSession}: nothing carries over from one command to the
 * next there either), else in a process of its own.
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
    SandboxSessions sessions = context.sandbox().sessions();
    if (sessions != null && context.limits().unavailable() == null && call.command().indexOf('\0') < 0) {
      ToolOutput kept = inKeptSandbox(call, context, sessions);
      if (kept != null) return kept;
    }
    try (CommandLimits.Cgroup cgroup = context.limits().open()) {
      return run(call, context, cgroup);
    }
  }

  /** The command in the run's kept sandbox ({@link SandboxSession}); null when it is to run in a process of its own. */
  private static ToolOutput inKeptSandbox(Call call, ToolContext context, SandboxSessions sessions) {
    SandboxSession session = sessions.take(context.sandbox(), context.root(), context.home(), context.readable(), context.env(), context.network(),
        context.limits(), context.heartbeat());
    if (session == null) return null;
    Capture capture = new Capture();
    SandboxSession.Outcome outcome;
    try {
      outcome = session.run(call.command(), capture, context.commandSeconds(), context.heartbeat());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ToolException("bash: interrupted");
    } finally {
      sessions.giveBack(session);
    }
    String output = capture.text();
    if (outcome.exhausted() != null) output += "\n[marathon: the command was limited: " + outcome.exhausted() + "]";
    return switch (outcome.status()) {
      case NOT_RUN -> null;
      case TIMED_OUT -> timedOut(context, output);
      case GONE -> endedItsSandbox(output);
      case EXITED -> exited(outcome.exitCode(), output);
    };
  }

  /** The command killed or stopped the kept sandbox's loop, and the sandbox with it: what it printed, its exit code unknown. */
  private static ToolOutput endedItsSandbox(String output) {
    String text = "exit code: unknown\n" + output + "\n[marathon: the command ended the sandbox it ran in]";
    return new ToolOutput(false, BoundedText.forModel(text), fullIfCut(text), "sandbox ended · " + BoundedText.lines(output) + " lines");
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
    Capture capture = new Capture();
    InputStream out = process.getInputStream();
    Thread reader = new Thread(() -> {
      try (out) {
        out.transferTo(capture);
      } catch (IOException killed) {
        // the process was killed; what was read is kept
      }
    }, "bash-output-" + pgid);
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
    return timedOut ? timedOut(context, output) : exited(process.exitValue(), output);
  }

  private static ToolOutput timedOut(ToolContext context, String output) {
    String text = "Command timed out after " + context.commandSeconds() + " s; its process group was killed.\n" + output;
    return new ToolOutput(false, BoundedText.forModel(text), fullIfCut(text), "timed out after " + context.commandSeconds() + " s");
  }

  private static ToolOutput exited(int exit, String output) {
    String text = "exit code: " + exit + "\n" + output;
    return new ToolOutput(exit == 0, BoundedText.forModel(text), fullIfCut(text),
        "exit " + exit + " · " + BoundedText.lines(output) + " lines");
  }

  private static String fullIfCut(String text) {
    return text.length() > BoundedText.MODEL_CHARS ? text : null;
  }

  /** A command's output: keeps the first {@link #MAX_KEPT_BYTES}, then counts the rest. */
  private static final class Capture extends OutputStream {
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private long dropped;

    @Override
    public synchronized void write(int b) {
      if (kept.size() < MAX_KEPT_BYTES) kept.write(b);
      else dropped++;
    }

    @Override
    public synchronized void write(byte[] buf, int off, int n) {
      int room = MAX_KEPT_BYTES - kept.size();
      if (room > 0) kept.write(buf, off, Math.min(room, n));
      if (n > room) dropped += n - Math.max(room, 0);
    }

    synchronized String text() {
      String s = kept.toString(StandardCharsets.UTF_8);
      return dropped > 0 ? s + "\n[… " + dropped + " more bytes of output were not kept …]" : s;
    }
  }
}
