package dev.marathon.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.marathon.activities.Json;
import dev.marathon.runtime.Connection;
import dev.marathon.runtime.Schedules;
import dev.marathon.workflows.RunState;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.schedules.ScheduleDescription;
import io.temporal.client.schedules.ScheduleHandle;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/** {@code ./marathon schedule ...}: nightly jobs on Temporal Schedules, each firing an ordinary run. */
@Command(name = "schedule", mixinStandardHelpOptions = true,
    description = {"Jobs that start runs on a schedule (Temporal Schedules: durable, on the Web UI's Schedules page).",
        "Each firing is an ordinary run named after the schedule and the time (UTC), with its own branch and budget."},
    subcommands = {ScheduleCommand.Create.class, ScheduleCommand.ListSchedules.class, ScheduleCommand.Describe.class,
        ScheduleCommand.Pause.class, ScheduleCommand.Unpause.class, ScheduleCommand.Trigger.class, ScheduleCommand.Delete.class})
final class ScheduleCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.BAD_INPUT;
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = {"Create a schedule: NAME --cron EXPR, then any option of ./marathon run (--repo, --task, --model, budgets, ...).",
          "e.g. ./marathon schedule create deps --cron \"0 1 * * 1-5\" --repo . --task \"Upgrade one dependency\" --max-cost 5"})
  static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Parameters(index = "0", paramLabel = "NAME", description = "The schedule's name; its runs are NAME-<yyyyMMdd-HHmmss>.")
    String name;
    @Option(names = "--cron", required = true, paramLabel = "EXPR", description = "When, in UTC: minute hour day-of-month month day-of-week.")
    String cron;
    @Option(names = "--overlap", paramLabel = "POLICY", defaultValue = "skip",
        description = "While the last run is still going (paused included): skip (default), buffer-one, or allow-all.")
    String overlap;
    @Mixin ConnectionOptions connection;
    @Unmatched List<String> runOptions = new ArrayList<>();

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      OptionChecks.notBlank("--cron", cron);
      ScheduleOverlapPolicy policy = switch (OptionChecks.oneOf("--overlap", overlap, "skip", "buffer-one", "allow-all")) {
        case "buffer-one" -> ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE;
        case "allow-all" -> ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL;
        default -> ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP;
      };
      RunCommand run = new RunCommand();
      CommandLine runLine = new CommandLine(run);
      try {
        runLine.parseArgs(runOptions.toArray(String[]::new));
      } catch (CommandLine.ParameterException e) {
        throw new BadInputException(e.getMessage() + " (after NAME and --cron come ./marathon run's options)");
      }
      if (run.detach) throw new BadInputException("--detach: a schedule's runs are always carried by a worker");
      RunState template = run.state(err, name);
      if (!template.spec.options().containment().sandbox()) {
        err.println("warning: --sandbox off: each of this schedule's runs runs the agent's commands as the worker's user, unconfined;"
            + " they can read that worker's environment (the model key included) through /proc");
      }
      try (Connection conn = connection.or(run.connection).open(true, err)) {
        if (!conn.durable()) {
          throw new BadInputException("a schedule needs a Temporal server that outlives this command; install the Temporal CLI"
              + " (scripts/install-temporal-cli) or pass --address");
        }
        try {
          new Schedules(conn.client()).create(name, cron, policy, template);
        } catch (io.temporal.client.schedules.ScheduleAlreadyRunningException e) {
          throw new BadInputException("schedule " + name + " already exists (./marathon schedule delete " + name + " first)");
        } catch (RuntimeException e) {
          io.grpc.StatusRuntimeException refused = refusal(e);
          if (refused == null || refused.getStatus().getCode() != io.grpc.Status.Code.INVALID_ARGUMENT) throw e;
          throw new BadInputException("the server refused schedule " + name + ": " + refused.getStatus().getDescription());
        }
      }
      err.println("[marathon] schedule " + name + " (" + cron + " UTC) starts runs " + name + "-<yyyyMMdd-HHmmss> on "
          + template.spec.repo() + "; a worker must be running then (./marathon worker). See ./marathon schedule describe " + name);
      spec.commandLine().getOut().println(name);
      return ExitCodes.OK;
    }
  }

  /** The server's refusal somewhere in {@code e}'s causes, or null. */
  static io.grpc.StatusRuntimeException refusal(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) if (t instanceof io.grpc.StatusRuntimeException s) return s;
    return null;
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List Marathon's schedules.")
  static final class ListSchedules implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ConnectionOptions connection;
    @Option(names = "--json", description = "Print a JSON array.")
    boolean json;

    @Override
    public Integer call() {
      try (Connection conn = connection.open(false, spec.commandLine().getErr())) {
        List<Schedules.Listed> all = new Schedules(conn.client()).list();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
          ArrayNode array = Json.MAPPER.createArrayNode();
          for (Schedules.Listed s : all) {
            ObjectNode o = array.addObject().put("name", s.name()).put("title", s.title()).put("paused", s.paused());
            o.put("next", s.next().isEmpty() ? null : s.next().get(0).toString());
            s.recentRuns().forEach(o.putArray("recentRuns")::add);
          }
          out.println(array.toPrettyString());
        } else {
          out.printf("%-24s %-8s %-22s %-34s %s%n", "NAME", "STATE", "NEXT (UTC)", "LAST RUN", "TITLE");
          for (Schedules.Listed s : all) {
            out.printf("%-24s %-8s %-22s %-34s %s%n", s.name(), s.paused() ? "paused" : "active",
                s.next().isEmpty() ? "-" : s.next().get(0).toString(), s.recentRuns().isEmpty() ? "-" : s.recentRuns().get(s.recentRuns().size() - 1),
                s.title());
          }
        }
        return ExitCodes.OK;
      }
    }
  }

  /** A command on one schedule, by name. */
  abstract static class OnSchedule implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Parameters(index = "0", paramLabel = "NAME", description = "The schedule's name.")
    String name;
    @Mixin ConnectionOptions connection;

    abstract String apply(ScheduleHandle schedule, PrintWriter out);

    @Override
    public Integer call() {
      try (Connection conn = connection.open(false, spec.commandLine().getErr())) {
        ScheduleHandle handle = new Schedules(conn.client()).handle(name);
        String said;
        try {
          // Refuses an unknown name, and a schedule that is not Marathon's, before acting on it.
          if (!Schedules.isMarathons(handle.describe())) {
            throw new BadInputException("schedule " + name + " is not one of Marathon's (its firings are not ScheduledRun); use temporal schedule");
          }
          said = apply(handle, spec.commandLine().getOut());
        } catch (RuntimeException e) {
          io.grpc.StatusRuntimeException refused = refusal(e);
          if (refused == null || refused.getStatus().getCode() != io.grpc.Status.Code.NOT_FOUND) throw e;
          throw new BadInputException("no schedule " + name + " (./marathon schedule list)");
        }
        if (said != null) spec.commandLine().getOut().println(name + ": " + said);
        return ExitCodes.OK;
      }
    }
  }

  @Command(name = "describe", mixinStandardHelpOptions = true, description = "A schedule: when, what, its recent runs, the next times.")
  static final class Describe extends OnSchedule {
    @Override
    String apply(ScheduleHandle schedule, PrintWriter out) {
      ScheduleDescription d = schedule.describe();
      Object title = d.getMemo("title", String.class);
      out.println("schedule " + name + (title == null ? "" : ": " + title));
      Object cron = d.getMemo("cron", String.class);
      out.println("  when:     " + (cron == null ? "(not made by ./marathon schedule create)" : cron) + " (UTC)");
      out.println("  overlap:  " + d.getSchedule().getPolicy().getOverlap().name().replace("SCHEDULE_OVERLAP_POLICY_", "").toLowerCase(java.util.Locale.ROOT));
      out.println("  state:    " + (d.getSchedule().getState().isPaused() ? "paused" : "active")
          + (d.getSchedule().getState().getNote() == null || d.getSchedule().getState().getNote().isBlank() ? "" : " (" + d.getSchedule().getState().getNote() + ")"));
      out.println("  fired:    " + d.getInfo().getNumActions() + " times, " + d.getInfo().getNumActionsSkippedOverlap() + " skipped while a run was going");
      out.println("  next:     " + d.getInfo().getNextActionTimes().stream().limit(3).map(Object::toString).reduce((a, b) -> a + ", " + b).orElse("-"));
      List<String> runs = Schedules.runs(name, d.getInfo().getRecentActions());
      out.println("  runs:     " + (runs.isEmpty() ? "none yet" : String.join(", ", runs)) + (runs.isEmpty() ? "" : "  (./marathon status ID)"));
      return null;
    }
  }

  @Command(name = "pause", mixinStandardHelpOptions = true, description = "Stop a schedule firing until unpaused (runs already going go on).")
  static final class Pause extends OnSchedule {
    @Option(names = "--note", paramLabel = "TEXT", description = "Why, shown by describe and the Web UI.")
    String note;

    @Override
    String apply(ScheduleHandle schedule, PrintWriter out) {
      schedule.pause(note == null ? "paused by ./marathon schedule pause" : note);
      return "paused";
    }
  }

  @Command(name = "unpause", mixinStandardHelpOptions = true, description = "Let a paused schedule fire again.")
  static final class Unpause extends OnSchedule {
    @Override
    String apply(ScheduleHandle schedule, PrintWriter out) {
      schedule.unpause("unpaused by ./marathon schedule unpause");
      return "active";
    }
  }

  @Command(name = "trigger", mixinStandardHelpOptions = true,
      description = "Fire a schedule now (its overlap policy applies: with skip, nothing starts while its last run is going).")
  static final class Trigger extends OnSchedule {
    @Override
    String apply(ScheduleHandle schedule, PrintWriter out) {
      schedule.trigger();
      return "fired; its run appears in ./marathon schedule describe " + name + " and ./marathon list";
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a schedule (its runs, and their branches, stay).")
  static final class Delete extends OnSchedule {
    @Override
    String apply(ScheduleHandle schedule, PrintWriter out) {
      schedule.delete();
      return "deleted";
    }
  }
}
