package dev.marathon.cli;

import dev.marathon.activities.tools.Schema;
import java.util.List;

/**
 * What {@code ./marathon mcp} offers an interactive agent (Claude Code, Codex, Cursor) that meets a
 * task too long for its session: hand it over as a durable run, then watch, steer and stop it. Each
 * tool is one CLI command line ({@link CommandTool}).
 *
 * <p>The model endpoint and its key are not arguments: they come from this server's own
 * environment and config files (what its {@code mcpServers} entry sets), so a client cannot send a
 * key somewhere new; nor can it loosen containment ({@code --sandbox}, {@code --network open},
 * {@code --pass-env} are not offered), and a run its user started with it loosened cannot be
 * steered or unpaused from here: telling its agent what to do would be running code unconfined.
 */
final class MarathonMcpTools {

  static List<CommandTool> all() {
    return List.of(
        new CommandTool("start_run",
            "Start a durable Marathon run on a repository and return its id at once; a Marathon worker carries it"
                + " (hours are fine; it survives crashes). Its work lands on the branch marathon/<id>.",
            List.of("run", "--detach"),
            Schema.object()
                .required("repo", Schema.string("The repository: a path (relative to this server's working directory) or a git URL."))
                .required("task", Schema.string("The task, as you would tell an engineer."))
                .optional("id", Schema.string("The run's id (default: made from the task's first line)."))
                .optional("title", Schema.string("A one-line title (default: the task's first line)."))
                .optional("provider", Schema.string("A model preset: glm, kimi, deepseek, openai, ollama, vllm, llamacpp, local"
                    + " (default: this server's configuration)."))
                .optional("model", Schema.string("A model id, e.g. glm-5.1 (default: this server's configuration)."))
                .optional("max_turns", Schema.integer("Turn budget (default 1000)."))
                .optional("max_hours", Schema.number("Wall-clock budget in hours."))
                .optional("max_tokens", Schema.integer("Token budget."))
                .optional("max_cost", Schema.number("Cost budget in US dollars."))
                .optional("swarm", Schema.bool("Start a coordinator that may spawn sub-agents."))),
        new CommandTool("run_status", "How a run is doing, as JSON: status, phase, turn, plan, usage, cost, branch, why it waits.",
            List.of("status", "--json"), idOnly(), "id"),
        new CommandTool("run_log", "What the agent did and thought, turn by turn. Long runs have thousands of turns: ask for a range.",
            List.of("log"), idOnly().optional("turns", Schema.string("Only these turns: A..B, A.., ..B or N.")), "id"),
        new CommandTool("run_diff", "What the run changed in the workspace (a unified diff), or only what one turn changed.",
            List.of("diff"), idOnly().optional("turn", Schema.integer("Only what this turn's tool calls changed.")), "id"),
        new CommandTool("steer_run", "Send the running agent a message; it reads it at its next turn.",
            List.of("steer"), idOnly().required("message", Schema.string("What to tell the agent.")), "id", "message").onlyForContainedRuns(),
        new CommandTool("pause_run", "Pause a run at its next turn boundary; it waits, costing nothing, until unpaused.",
            List.of("pause"), idOnly().optional("reason", Schema.string("Why (shown in its status and the Web UI).")), "id"),
        new CommandTool("unpause_run", "Let a paused run go on.", List.of("unpause"), idOnly(), "id").onlyForContainedRuns(),
        new CommandTool("finish_run", "Ask the agent to wrap up: it commits its work and reports.", List.of("finish"), idOnly(), "id"),
        new CommandTool("cancel_run", "Cancel a run (gracefully, or at once with now).",
            List.of("cancel"), idOnly().optional("now", Schema.bool("Stop at once, cancelling what is in flight.")), "id"),
        new CommandTool("list_runs", "Marathon's runs, newest first, as JSON.",
            List.of("list", "--json"),
            Schema.object()
                .optional("status", Schema.string("running, completed, failed, terminated, timedout, canceled; or a phase:"
                    + " paused, finished, incomplete, cancelled."))
                .optional("repo", Schema.string("Only runs on this repository."))
                .optional("limit", Schema.integer("At most this many (default 50)."))));
  }

  private static Schema idOnly() {
    return Schema.object().required("id", Schema.string("The run's id (start_run returned it; list_runs lists them)."));
  }

  private MarathonMcpTools() {}
}
