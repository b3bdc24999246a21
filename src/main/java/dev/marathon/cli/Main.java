package dev.marathon.cli;

import dev.marathon.runtime.Connection;
import io.temporal.client.WorkflowNotFoundException;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "marathon", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = {"A durable runtime for long-horizon coding agents, on Temporal.",
        "Point it at a repository and a task; it works through the night and survives crashes."})
public final class Main {
  /** Every command, in the order {@code --help} lists them. */
  static final List<Class<?>> COMMANDS = List.of(
      RunCommand.class,
      StatusCommand.class,
      WatchCommand.class,
      ListCommand.class,
      SteerCommand.class,
      SignalCommands.Pause.class,
      SignalCommands.Unpause.class,
      BudgetCommand.class,
      SignalCommands.Finish.class,
      SignalCommands.Cancel.class,
      ResumeCommand.class,
      HistoryCommand.class,
      LogCommand.class,
      DiffCommand.class,
      ExportCommand.class,
      ForkCommand.class,
      RewindCommand.class,
      ScheduleCommand.class,
      ReportCommand.class,
      McpCommand.class,
      GcCommand.class,
      ModelsCommand.class,
      ModelCommand.class,
      UiCommand.class,
      WorkerCommand.class,
      WarmUpCommand.class,
      ServerCommand.class,
      CommandLine.HelpCommand.class);

  public static void main(String[] args) {
    System.exit(commandLine(args.length == 0 ? null : args[0]).execute(args));
  }

  /** The configured command line with every command; tests drive it in-process. */
  public static CommandLine commandLine() {
    return commandLine(null);
  }

  /**
   * The configured command line; when {@code first} names a command, with only that one. picocli
   * builds each command's model by reflection, about a quarter of a short command's time when it
   * builds all of them; anything else (help, an unknown word, an option) gets them all.
   */
  static CommandLine commandLine(String first) {
    CommandLine cl = new CommandLine(new Main());
    Class<?> only = COMMANDS.stream().filter(c -> c.getAnnotation(Command.class).name().equals(first)).findFirst().orElse(null);
    for (Class<?> command : only != null && !first.equals("help") ? List.of(only) : COMMANDS) cl.addSubcommand(command);
    // schedule create NAME --cron EXPR, then run's options: everything from the first option it does not know is run's.
    if (cl.getSubcommands().containsKey("schedule")) {
      cl.getSubcommands().get("schedule").getSubcommands().get("create").setStopAtUnmatched(true);
    }
    cl.setExecutionExceptionHandler(Main::handle);
    cl.setParameterExceptionHandler((ex, a) -> {
      PrintWriter err = ex.getCommandLine().getErr();
      if (ex.getCause() instanceof BadInputException bad) {
        err.println("error: " + bad.getMessage()); // a check run while parsing (RunIdArgument, ConnectionOptions)
      } else {
        err.println("error: " + ex.getMessage());
        err.println(helpHint(ex.getCommandLine()));
      }
      err.flush();
      return ExitCodes.BAD_INPUT;
    });
    return cl;
  }

  /**
   * Where to read more after a parse error: {@code ./marathon --help} for the commands, or {@code
   * ./marathon status --help} for a command's options (the root is the launcher, not named twice).
   */
  static String helpHint(CommandLine cl) {
    if (cl.getParent() == null) return "(./marathon --help lists the commands)";
    StringBuilder path = new StringBuilder();
    for (CommandLine c = cl; c.getParent() != null; c = c.getParent()) path.insert(0, " " + c.getCommandName());
    return "(./marathon" + path + " --help shows the options)";
  }

  /** One place that turns exceptions into a human message and an exit code (no stack traces). */
  private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    PrintWriter err = cl.getErr();
    int code;
    if (e instanceof BadInputException) {
      err.println("error: " + e.getMessage());
      code = ExitCodes.BAD_INPUT;
    } else if (e instanceof WorkflowNotFoundException) {
      err.println("error: no run with that id on this server");
      code = ExitCodes.BAD_INPUT;
    } else if (e instanceof Connection.UnreachableServerException) {
      err.println("error: " + e.getMessage());
      code = ExitCodes.FAILED;
    } else {
      err.println("error: " + RunFollower.rootMessage(e));
      if (System.getenv("MARATHON_DEBUG") != null) e.printStackTrace(err);
      code = ExitCodes.FAILED;
    }
    err.flush();
    return code;
  }

  private Main() {}
}
