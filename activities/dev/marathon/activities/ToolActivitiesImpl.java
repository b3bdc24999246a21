package dev.marathon.activities;

import dev.marathon.activities.sandbox.CommandEnvironment;
import dev.marathon.activities.sandbox.CommandSandbox;
import dev.marathon.activities.sandbox.Network;
import dev.marathon.activities.sandbox.Sandboxes;
import dev.marathon.activities.store.CheckpointStore;
import dev.marathon.activities.store.Conversations;
import dev.marathon.activities.store.CorruptObjectException;
import dev.marathon.activities.tools.Arguments;
import dev.marathon.activities.tools.McpToolList;
import dev.marathon.activities.tools.ToolCatalog;
import dev.marathon.activities.tools.ToolContext;
import dev.marathon.activities.tools.ToolException;
import dev.marathon.activities.tools.ToolOutput;
import dev.marathon.activities.tools.WorkspaceTool;
import dev.marathon.activities.workspace.Steps;
import dev.marathon.activities.workspace.Workspace;
import dev.marathon.activities.workspace.WorkspaceException;
import dev.marathon.activities.workspace.Workspaces;
import dev.marathon.workflows.Containment;
import dev.marathon.workflows.api.McpTools;
import dev.marathon.workflows.api.McpToolsInput;
import dev.marathon.workflows.api.ToolActivities;
import dev.marathon.workflows.api.ToolCall;
import dev.marathon.workflows.api.ToolInput;
import dev.marathon.workflows.api.ToolResult;
import dev.marathon.workflows.api.ToolBatch;
import dev.marathon.workflows.api.ToolBatchResult;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Runs one tool call with exactly-once effect on the workspace: under the workspace's lease,
 * bring it to the given snapshot (restoring whatever a crashed attempt left), run the tool (its
 * commands in the run's sandbox, with an allow-listed environment), snapshot the result. The workflow advances its {@code workspaceRef} only when this completes.
 * The call's arguments are read from the assistant message that made it (stored once, there).
 */
public final class ToolActivitiesImpl implements ToolActivities {
  /** How list_files and grep list the work tree: the tools see only the interface, never the workspace. */
  private static final GitWorkTreeFiles FILES = new GitWorkTreeFiles();
  private final Workspaces workspaces;
  private final Conversations conversations;
  private final CheckpointStore store;
  private final ToolCatalog catalog;
  private final Secrets secrets;
  private final Sandboxes sandboxes;

  public ToolActivitiesImpl(Workspaces workspaces, Conversations conversations, ToolCatalog catalog, Secrets secrets, Sandboxes sandboxes) {
    this.workspaces = workspaces;
    this.conversations = conversations;
    this.store = conversations.store();
    this.catalog = catalog;
    this.secrets = secrets;
    this.sandboxes = sandboxes;
  }

  @Override
  public ToolResult execute(ToolInput input) {
    QuietHeartbeat beat = new QuietHeartbeat(Activity.getExecutionContext());
    Runnable heartbeat = () -> beat.beat(input.stepId());
    secrets.remember(input.keyEnv()); // its value is redacted from the output, whatever the variable's name
    Workspace ws = workspaces.get(input.workspace());
    try (Steps.Lease lease = ws.steps().lease(heartbeat)) {
      return step(ws, input, heartbeat);
    } catch (WorkspaceException | Sandboxes.SandboxUnavailableException | CorruptObjectException e) {
      throw failure(e);
    }
  }

  /**
   * Runs the calls one after the other under one lease, recording after each what is done; an
   * attempt after a crash reads that record and goes on from the last finished call. A broken
   * workspace ends the batch early (or fails it, at its first call): the workflow runs the rest
   * one by one, where it pauses the run as usual.
   */
  @Override
  public ToolBatchResult executeAll(ToolBatch batch) {
    ActivityExecutionContext context = Activity.getExecutionContext();
    AtomicReference<String> current = new AtomicReference<>(batch.turn() + "." + (batch.firstIndex() + 1));
    QuietHeartbeat beat = new QuietHeartbeat(context);
    Runnable heartbeat = () -> beat.beat(current.get());
    secrets.remember(batch.keyEnv());
    Workspace ws = workspaces.get(batch.workspace());
    try (Steps.Lease lease = ws.steps().lease(heartbeat)) {
      BatchProgress progress = new BatchProgress(ws.batchProgressFile(), current.get(), batch.workspaceRef());
      List<ToolResult> done = new ArrayList<>(progress.read());
      for (int i = done.size(); i < batch.calls().size(); i++) {
        ToolInput input = batch.call(i, done.isEmpty() ? batch.workspaceRef() : done.get(done.size() - 1).workspaceRef());
        current.set(input.stepId());
        try {
          done.add(step(ws, input, heartbeat));
        } catch (WorkspaceException | Sandboxes.SandboxUnavailableException | CorruptObjectException e) {
          if (done.isEmpty()) throw failure(e);
          break;
        }
        progress.write(done);
        heartbeat.run();
      }
      return new ToolBatchResult(done);
    }
  }

  /** One call, with the lease held: bring the workspace to the call's snapshot, run, snapshot, store the output. */
  private ToolResult step(Workspace ws, ToolInput input, Runnable heartbeat) {
    ToolCall.Workspace call = input.call();
    WorkspaceTool<?> tool = catalogFor(input.mcpToolsRef()).workspaceTool(call.tool())
        .orElseThrow(() -> new IllegalArgumentException("not a workspace tool: " + call.tool()));
    boolean readOnly = tool.spec().readOnly();
    Containment containment = input.containment();
    CommandSandbox sandbox = tool.runsCommands() ? sandboxes.forRun(workflowId(), containment) : null;
    Steps steps = ws.steps();
    steps.bringTo(input.workspaceRef());
    String setup = setUp(ws, input, containment, heartbeat);
    if (!readOnly) steps.changing();
    ToolOutput out = run(tool, input, ws, sandbox, containment, heartbeat);
    if (setup != null) out = new ToolOutput(out.ok(), setup + "\n" + out.text(), out.fullOutput(), out.summary());
    boolean snapshot = !readOnly || setup != null; // what the setup command changed is kept too
    String after = !snapshot ? input.workspaceRef()
        : steps.snapshot(input.workspaceRef(), input.stepId() + " " + call.display(), tool.runsCommands() || setup != null ? null : written(ws, call));
    String leftOut = !snapshot ? null : steps.leftOutByLastSnapshot();
    String text = secrets.redact(leftOut == null ? out.text() : out.text() + "\n[marathon: " + leftOut + "]");
    String observationRef = store.putText(text);
    String outputRef = out.fullOutput() == null ? observationRef : store.putText(secrets.redact(out.fullOutput()));
    return new ToolResult(after, observationRef, text.length(), outputRef, secrets.redact(out.summary()),
        sandbox == null ? null : sandbox.describe(sandboxes.network(containment))
            + (sandboxes.limits().unavailable() == null ? "" : "; no per-command limits (" + sandboxes.limits().unavailable() + ")"));
  }

  /**
   * Lists the run's MCP servers' tools once, in the workspace at the run's first snapshot and in its
   * sandbox, under the lease; the servers may write files there, so the next step restores it.
   */
  @Override
  public McpTools listMcpTools(McpToolsInput input) {
    Runnable heartbeat = () -> Activity.getExecutionContext().heartbeat("mcp");
    secrets.remember(input.keyEnv());
    Workspace ws = workspaces.get(input.workspace());
    try (Steps.Lease lease = ws.steps().lease(heartbeat)) {
      ws.steps().bringTo(input.workspaceRef());
      ws.steps().changing();
      CommandSandbox sandbox = sandboxes.forRun(workflowId(), input.containment());
      McpToolList list = McpToolList.list(input.servers(), context(ws, input.keyEnv(), 60, sandbox, input.containment(), heartbeat));
      List<String> problems = list.problems().stream().map(secrets::redact).toList();
      return new McpTools(store.putText(list.json()), list.names(), problems);
    } catch (WorkspaceException | Sandboxes.SandboxUnavailableException | CorruptObjectException e) {
      throw failure(e);
    }
  }

  /**
   * The id Temporal runs this activity's workflow under: what a worker's trust in "its own run" is
   * checked against, never the run id an input names (anyone could name the id of someone's
   * foreground run in a workflow of their own).
   */
  private static String workflowId() {
    return Activity.getExecutionContext().getInfo().getWorkflowId();
  }

  /** The base catalog, and the run's MCP tools as recorded when it began. */
  private ToolCatalog catalogFor(String mcpToolsRef) {
    if (mcpToolsRef == null) return catalog;
    return catalog.with(McpToolList.recorded(store, mcpToolsRef));
  }

  /**
   * Runs the repository's setup command when it is owed (the work tree is new on this machine: the
   * run began or moved here), in the run's sandbox like any command, before the step's own tool; returns
   * a line for the step's output saying so, or null. Its files are ignored ones as a rule (what
   * snapshots leave out); any other change it makes is in the step's snapshot.
   */
  private String setUp(Workspace ws, ToolInput input, Containment containment, Runnable heartbeat) {
    String command = ws.steps().setupOwed();
    if (command == null) return null;
    ws.steps().changing();
    CommandSandbox sandbox = sandboxes.forRun(workflowId(), containment);
    ToolOutput out;
    try {
      out = catalog.workspaceTool("bash").orElseThrow().execute(
          Arguments.parse("bash", Json.MAPPER.createObjectNode().put("command", command).toString()),
          context(ws, input.keyEnv(), input.commandSeconds(), sandbox, containment, heartbeat));
    } catch (ToolException e) {
      out = ToolOutput.error(e.getMessage());
    }
    ws.steps().setupDone();
    return "[marathon: a new work tree on this machine, without the ignored files (dependencies, build outputs) that snapshots"
        + " leave out; the repository's setup command ran first: " + secrets.redact(out.summary()) + "]";
  }

  /**
   * The one file a file tool wrote, relative to the workspace, when it is that file itself (no
   * symbolic link on the way, which would have written elsewhere); else null: the snapshot then
   * looks at the whole tree.
   */
  static String written(Workspace ws, ToolCall.Workspace call) {
    if (call.path() == null || call.path().isBlank()) return null;
    try {
      Path root = ws.root().toRealPath();
      Path file = root.resolve(call.path()).normalize();
      if (!file.startsWith(root) || file.equals(root) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) return null;
      if (!file.toRealPath().equals(file)) return null;
      return root.relativize(file).toString();
    } catch (java.io.IOException | RuntimeException unclear) {
      return null;
    }
  }

  private static RuntimeException failure(RuntimeException e) {
    if (e instanceof WorkspaceException w) return Failures.workspace(w);
    if (e instanceof Sandboxes.SandboxUnavailableException s) return Failures.sandbox(s);
    return Failures.corrupt(e);
  }

  private ToolOutput run(WorkspaceTool<?> tool, ToolInput input, Workspace ws, CommandSandbox sandbox, Containment containment, Runnable heartbeat) {
    ToolCall.Workspace call = input.call();
    try {
      return tool.execute(Arguments.parse(call.tool(), arguments(input)),
          context(ws, input.keyEnv(), input.commandSeconds(), sandbox, containment, heartbeat));
    } catch (ToolException e) {
      return ToolOutput.error(e.getMessage());
    }
  }

  private ToolContext context(Workspace ws, String keyEnv, int commandSeconds, CommandSandbox sandbox, Containment containment,
      Runnable heartbeat) {
    Map<String, String> set = new HashMap<>(ws.commandVariables());
    Set<String> secretNames = new HashSet<>(secrets.names());
    if (keyEnv != null) secretNames.add(keyEnv);
    Map<String, String> env = CommandEnvironment.of(System.getenv(), containment.passEnv(), secretNames, ws.home().toString(), set);
    return new ToolContext(ws.realRoot(), commandSeconds, heartbeat, sandbox, ws.home(),
        ws.readableByCommands(), env, sandbox == null ? Network.off() : sandboxes.network(containment), sandboxes.limits(),
        FILES);
  }

  /** The call's arguments text, from the assistant message that made it. */
  private String arguments(ToolInput input) {
    ToolCall.Workspace call = input.call();
    // Calls scheduled before commit cc3df7c (2026-11-30) carry no context ref: their arguments are stored under their hash.
    String text = input.contextRef() == null ? store.getText(call.argumentsHash()) : conversations.arguments(input.contextRef(), call.id());
    if (text == null) throw new IllegalStateException("no call " + call.id() + " in checkpoint " + input.contextRef());
    return text;
  }
}
