package dev.marathon.cli;

import dev.marathon.workflows.api.WorkspaceKey;
import dev.marathon.runtime.Connection;
import dev.marathon.runtime.MarathonHome;
import dev.marathon.runtime.ModelPresets;
import dev.marathon.runtime.Repositories;
import dev.marathon.runtime.RunIds;
import dev.marathon.activities.sandbox.CommandEnvironment;
import dev.marathon.activities.sandbox.Sandboxes;
import dev.marathon.workflows.Budget;
import dev.marathon.workflows.Containment;
import dev.marathon.workflows.ModelSettings;
import dev.marathon.workflows.RunOptions;
import dev.marathon.workflows.RunSpec;
import dev.marathon.workflows.Swarm;
import dev.marathon.workflows.RunState;
import dev.marathon.workflows.Text;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "run", sortOptions = false, mixinStandardHelpOptions = true,
    description = {"Run a coding task on a git repository as a durable Temporal workflow.",
        "The work lands on branch marathon/<id>, made in the run's own clone; your checkout is never touched.",
        "Exit codes: 0 finished, 1 failed (or terminated, timed out), 2 bad input, 3 ended without",
        "finishing, or paused whatever the cause (budget, stuck, model or workspace error)."})
final class RunCommand implements Callable<Integer> {
  /** The task travels through Temporal history once; beyond this, put it in a file in the repo. */
  static final int MAX_TASK_BYTES = 100 * 1024;

  @Spec CommandSpec spec;

  @Option(names = "--repo", required = true, paramLabel = "DIR|URL",
      description = {"The git repository to work on: a directory, or a git URL (file://, ssh://, https://) that every worker",
          "can clone with its own credentials; the run's branch is then pushed there, and the run can move between machines."})
  String repo;

  @ArgGroup(exclusive = true, multiplicity = "1")
  TaskSource task;

  static final class TaskSource {
    @Option(names = "--task", paramLabel = "TEXT", description = "The task, e.g. \"fix the flaky tests in module X\".")
    String text;

    @Option(names = "--task-file", paramLabel = "FILE", description = "A file holding the task.")
    Path file;
  }

  @Option(names = "--id", paramLabel = "ID", description = "Run id (default: from the task's first line).")
  String id;

  @Option(names = "--title", paramLabel = "TEXT", description = "One-line title (default: the task's first line).")
  String title;

  @Mixin ModelOptions model;

  @Option(names = "--max-turns", paramLabel = "N", description = "Turn budget (default: 1000; the local model's preset: 8).")
  Integer maxTurns;

  @Option(names = "--max-hours", paramLabel = "H", description = "Wall-clock budget in hours.")
  Double maxHours;

  @Option(names = "--max-tokens", paramLabel = "N", description = "Token budget (prompt + completion).")
  Long maxTokens;

  @Option(names = "--max-cost", paramLabel = "USD", description = "Cost budget in US dollars.")
  Double maxCost;

  @Option(names = "--at-limit", paramLabel = "pause|finish",
      description = "What a reached budget does: pause the run for an operator (default), or have the agent wrap up and"
          + " end it (the local model's preset).")
  String atLimit;

  @Option(names = "--command-timeout", paramLabel = "SECONDS", defaultValue = "600",
      description = "How long one bash command may run unless the model asks otherwise (default: ${DEFAULT-VALUE}).")
  int commandTimeout;

  @Option(names = "--max-command-timeout", paramLabel = "SECONDS", defaultValue = "3600",
      description = "The most the model may ask for one command (default: ${DEFAULT-VALUE}).")
  int maxCommandTimeout;

  @Option(names = "--heartbeat-timeout", paramLabel = "SECONDS", defaultValue = "10", hidden = true,
      description = "How fast a dead worker is noticed (default: ${DEFAULT-VALUE}).")
  int heartbeatSeconds;

  @Option(names = "--continue-as-new-after", paramLabel = "EVENTS", defaultValue = "4000", hidden = true,
      description = "History length at which a run continues as new (default: ${DEFAULT-VALUE}).")
  int continueAsNewEvents;

  @Option(names = "--compact-at", paramLabel = "PERCENT", defaultValue = "80",
      description = "Compact the conversation when the prompt reaches this share of the context window (default: ${DEFAULT-VALUE}).")
  int compactAt;

  @Option(names = "--sandbox", paramLabel = "on|off", defaultValue = "on",
      description = "Run commands in the bubblewrap sandbox (default: ${DEFAULT-VALUE}). off only for machines without"
          + " user namespaces: commands then run as you and can read the worker's environment.")
  String sandbox;

  @Option(names = "--network", paramLabel = "on|off|open", defaultValue = "on",
      description = "on (default): commands reach the package registries (and --allow-host) through Marathon's egress"
          + " proxy, never this machine's services or the private network; off: nothing; open: the worker's network as it"
          + " is, local services included (a worker runs such a run only with --allow-network-open, or this command's own).")
  String network;

  @Option(names = "--allow-host", paramLabel = "HOST", split = ",",
      description = "With --network on: let commands reach this host too (repeatable; *.example.com for a domain).")
  List<String> allowHosts = new ArrayList<>();

  @Option(names = "--pass-env", paramLabel = "VAR", split = ",",
      description = "Pass this variable of the worker's environment to commands (repeatable); names that look like"
          + " secrets (…KEY, …TOKEN, …SECRET, …PASSWORD) are refused.")
  List<String> passEnv = new ArrayList<>();

  @Option(names = "--swarm", description = "Start a coordinator: besides the usual tools its model can spawn_agents"
      + " (sub-agents, each a child run on its own branch forked from the coordinator's workspace), wait_agents (collect"
      + " and merge their work) and agent_status. The budget covers the whole swarm.")
  boolean swarm;

  @Option(names = "--max-agents", paramLabel = "N", description = "With --swarm: sub-agents it may spawn in all (default: 300).")
  Integer maxAgents;

  @Option(names = "--parallel", paramLabel = "P",
      description = "With --swarm: sub-agents running at once; the rest queue (default: 4 per core, from 2 to 32).")
  Integer parallel;

  @Mixin NotifyOptions notify;

  @Mixin McpServersOption mcp;

  @Option(names = "--detach", description = "Start the run and return; a worker (./marathon worker) carries it.")
  boolean detach;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    RunState state = state(err, null);
    if (!state.spec.options().containment().sandbox() && !detach) {
      err.println("warning: --sandbox off: the agent's commands run as you, unconfined; they can read this worker's"
          + " environment (the model key included) through /proc. The run's details say so.");
    }
    try (Connection conn = connection.open(true, err)) {
      return RunStarter.start(conn, state, detach, out, err);
    }
  }

  /**
   * The run these options describe, checked, with what the user should know said on {@code err}.
   * With {@code schedule}, the template of that schedule's runs: its id is the schedule's name
   * (each firing adds the time, {@code ScheduledRunImpl}), and no branch is looked for yet.
   */
  RunState state(PrintWriter err, String schedule) {
    String origin = repository();
    Path top = WorkspaceKey.isUrl(origin) ? null : Path.of(origin); // a URL's .marathon/config.json is not read here
    String taskText = taskText();
    OptionChecks.notBlank("--title", title);
    Swarm swarmSettings = swarm(); // checked before anything is printed
    List<dev.marathon.workflows.NotifyTarget> notifyTargets = notify.targets(top);
    java.util.Map<String, dev.marathon.workflows.McpServer> mcpServers = mcp.servers(top);
    String runTitle = title != null ? Text.oneLine(title, 200) : Text.oneLine(taskText.strip().lines().findFirst().orElse("task"), 100);
    if (schedule != null && id != null) throw new BadInputException("--id: a schedule's runs are named after it and the time");
    String runId = schedule != null ? schedule : id != null ? id : RunIds.fresh(runTitle);
    String idProblem = RunIds.problem(schedule != null ? schedule + "-20261204-010000" : runId);
    if (idProblem != null) throw new BadInputException(schedule != null ? "schedule name: " + idProblem : id != null ? "--id: " + idProblem : idProblem);
    String branch = "marathon/" + runId;
    if (schedule == null && Repositories.branchExists(origin, branch)) {
      throw new BadInputException("branch " + branch + " already exists in " + origin + "; pick another --id");
    }
    ModelSettings settings = model.settings(top);
    ModelPresets.Preset preset = model.chosen();
    RunOptions options = options().withNotify(notifyTargets).withMcpServers(mcpServers);
    Integer turns = maxTurns != null ? maxTurns : preset.maxTurns() != null ? preset.maxTurns() : 1000;
    OptionChecks.atLeast("--max-turns", turns, 1);
    boolean finishAtLimit = atLimit == null ? Boolean.TRUE.equals(preset.finishAtLimit()) : OptionChecks.oneOf("--at-limit", atLimit, "pause", "finish").equals("finish");
    if (preset.local()) {
      err.println("[marathon] no model configured: the embedded local model " + settings.model() + " (offline, no key; "
          + turns + " turns). For GLM-5.1, Kimi K2.6, Gemma 4, DeepSeek or OpenAI see ./marathon models.");
      err.flush();
    }
    if (settings.apiKeyEnv() != null && System.getenv(settings.apiKeyEnv()) == null && !ModelOptions.isLocal(settings.baseUrl())) {
      err.println("warning: " + settings.apiKeyEnv() + " is not set; the endpoint will likely refuse requests");
    }
    if (settings.apiKeyEnv() != null && settings.baseUrl() != null) {
      err.println("[marathon] model " + settings.model() + " at " + java.net.URI.create(settings.baseUrl()).getAuthority()
          + ": the key in " + settings.apiKeyEnv() + " goes to that host and nowhere else");
    }
    if (WorkspaceKey.isUrl(origin) && !origin.startsWith("file://")) {
      err.println("[marathon] workers clone and push " + origin + " with their own git credentials, and only when their"
          + " MARATHON_ORIGINS lists it");
    }
    NotifyOptions.explain(notifyTargets, err);
    if (!mcpServers.isEmpty()) {
      err.println("[marathon] MCP servers " + String.join(", ", mcpServers.keySet()) + ": their tools are listed once, when the run begins,"
          + " and each server runs in the run's sandbox for each call");
    }
    RunSpec runSpec = new RunSpec(runId, runTitle, origin, branch, settings, options, swarmSettings, null);
    return RunState.start(runSpec, taskText, new Budget(turns, maxHours, maxTokens, maxCost, finishAtLimit ? true : null));
  }

  /** The swarm settings of a coordinator ({@code --swarm}), checked; null for an ordinary run. */
  private Swarm swarm() {
    if (!swarm) {
      if (maxAgents != null || parallel != null) throw new BadInputException("--max-agents and --parallel go with --swarm");
      return null;
    }
    int agents = OptionChecks.between("--max-agents", maxAgents == null ? Swarm.MAX_AGENTS : maxAgents, 1, 1000);
    int cores = Runtime.getRuntime().availableProcessors();
    int atOnce = OptionChecks.between("--parallel", parallel == null ? Math.max(2, Math.min(32, 4 * cores)) : parallel, 1, 300);
    return new Swarm(agents, Math.min(atOnce, agents));
  }

  /** The run's options, checked: numbers in range, a sandbox that works here (unless it is off). */
  private RunOptions options() {
    OptionChecks.positive("--max-hours", maxHours);
    OptionChecks.atLeast("--max-tokens", maxTokens, 1);
    OptionChecks.positive("--max-cost", maxCost);
    OptionChecks.atLeast("--command-timeout", commandTimeout, 1);
    OptionChecks.atLeast("--max-command-timeout", maxCommandTimeout, commandTimeout);
    OptionChecks.atLeast("--heartbeat-timeout", heartbeatSeconds, 1);
    OptionChecks.atLeast("--continue-as-new-after", continueAsNewEvents, 100);
    OptionChecks.between("--compact-at", compactAt, 10, 95);
    boolean sandboxed = OptionChecks.onOff("--sandbox", sandbox);
    String net = OptionChecks.oneOf("--network", network, "on", "off", "open");
    boolean networked = !net.equals("off");
    for (String host : allowHosts) {
      if (!host.matches("(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*")) {
        throw new BadInputException("--allow-host " + host + ": not a host name (e.g. repo.example.com or *.example.com)");
      }
    }
    if (!allowHosts.isEmpty() && !net.equals("on")) throw new BadInputException("--allow-host goes with --network on (the default)");
    for (String name : passEnv) {
      if (!CommandEnvironment.passable(name)) {
        throw new BadInputException("--pass-env " + name + " refused: not a variable name, or a name that holds secrets");
      }
    }
    if (sandboxed && !detach) {
      String problem = Sandboxes.problemHere(MarathonHome.fromEnvironment().hiddenFromCommands());
      if (problem != null) {
        throw new BadInputException("no working sandbox on this machine (" + problem + "). Install bubblewrap"
            + " (apt-get install bubblewrap), or start the run with --sandbox off, which leaves its commands unconfined");
      }
    }
    return new RunOptions(commandTimeout, maxCommandTimeout, heartbeatSeconds, continueAsNewEvents, compactAt,
        new Containment(sandboxed, networked, List.copyOf(passEnv), net.equals("open"), List.copyOf(allowHosts)), List.of(), null);
  }

  /** The repository's top-level directory, or its URL, checked: it exists, is reachable, has a commit. */
  private String repository() {
    if (repo.isBlank()) throw new BadInputException("--repo is empty; give a path or a git URL"); // '' would be the current directory
    try {
      if (WorkspaceKey.isUrl(repo)) return Repositories.reachable(repo);
      return Repositories.topLevel(Path.of(repo).toAbsolutePath().normalize()).toString();
    } catch (Repositories.Problem e) {
      throw new BadInputException("--repo: " + e.getMessage());
    }
  }

  private String taskText() {
    String text;
    String option = task.file != null ? "--task-file " + task.file : "--task";
    if (task.file != null) {
      // A device (/dev/zero), a pipe or a huge file would be read whole, or forever: not a task.
      OptionChecks.smallFile("--task-file", task.file, MAX_TASK_BYTES, "100 KiB for a task");
      try {
        text = Files.readString(task.file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new BadInputException("cannot read --task-file " + task.file + ": " + e.getMessage());
      }
    } else {
      text = task.text;
    }
    if (text == null || text.isBlank()) throw new BadInputException(option + ": the task is empty");
    if (text.getBytes(StandardCharsets.UTF_8).length > MAX_TASK_BYTES) {
      throw new BadInputException(option + ": the task is over 100 KiB; put the details in a file in the repository and point the task at it");
    }
    return text;
  }


}
