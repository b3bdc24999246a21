package dev.marathon.activities;

import dev.marathon.activities.store.Conversations;
import dev.marathon.activities.store.CorruptObjectException;
import dev.marathon.activities.store.Message;
import dev.marathon.activities.tools.SpawnAgentsTool;
import dev.marathon.activities.workspace.Steps;
import dev.marathon.activities.workspace.Workspace;
import dev.marathon.activities.workspace.WorkspaceException;
import dev.marathon.activities.workspace.Workspaces;
import dev.marathon.workflows.api.CommitInput;
import dev.marathon.workflows.api.CommitResult;
import dev.marathon.workflows.api.CreateRunInput;
import dev.marathon.workflows.api.CreateRunResult;
import dev.marathon.workflows.api.KeepInput;
import dev.marathon.workflows.api.SpawnedFrom;
import dev.marathon.workflows.api.WorkspaceActivities;
import io.temporal.activity.Activity;
import java.util.List;

/** Creates a run's workspace and first checkpoint; commits its work onto the branch at the end. */
public final class WorkspaceActivitiesImpl implements WorkspaceActivities {
  private final Workspaces workspaces;
  private final Conversations conversations;

  public WorkspaceActivitiesImpl(Workspaces workspaces, Conversations conversations) {
    this.workspaces = workspaces;
    this.conversations = conversations;
  }

  @Override
  public CreateRunResult createWorkspaceAndConversation(CreateRunInput input) {
    Workspace ws = workspaces.get(input.workspace());
    SpawnedFrom from = input.spawnedFrom();
    try (Steps.Lease lease = ws.steps().lease(WorkspaceActivitiesImpl::heartbeat)) {
      CreateRunInput.ForkedFrom fork = input.forkedFrom();
      if (fork != null) {
        return new CreateRunResult(null, ws.steps().beginFrom(workspaces.other(fork.source()), fork.snapshot(), true).snapshot());
      }
      Steps.Begun begun = from == null ? ws.steps().begin() : ws.steps().beginFrom(workspaces.other(from.coordinator()), from.snapshot(), false);
      String task = from == null ? Prompts.task(input.title(), input.task())
          : Prompts.subAgentTask(input.title(), SpawnAgentsTool.task(spawnArguments(from), from.index()), from.coordinator().runId());
      // Content-addressed: a retried attempt writes the same bytes and gets the same ref.
      String contextRef = conversations.append(null, List.of(
          Message.system(Prompts.system(input.workspace().branch())),
          Message.user(task)));
      return new CreateRunResult(contextRef, begun.snapshot());
    } catch (WorkspaceException e) {
      throw Failures.workspace(e);
    } catch (CorruptObjectException e) {
      throw Failures.corrupt(e);
    }
  }

  @Override
  public CommitResult commit(CommitInput input) {
    Workspace ws = workspaces.get(input.workspace());
    try (Steps.Lease lease = ws.steps().lease(WorkspaceActivitiesImpl::heartbeat)) {
      String head = ws.publishing().commit(input.workspaceRef(), input.message(), ws.identity());
      return new CommitResult(head, input.report() == null ? null : conversations.store().putText(input.report()));
    } catch (WorkspaceException e) {
      throw Failures.workspace(e);
    }
  }

  @Override
  public String keep(KeepInput input) {
    String problem = KeepInput.branchProblem(input.branch(), input.workspace().runId());
    if (problem != null) throw Failures.workspace(new WorkspaceException(problem, true));
    Workspace ws = workspaces.get(input.workspace());
    try (Steps.Lease lease = ws.steps().lease(WorkspaceActivitiesImpl::heartbeat)) {
      String kept = ws.publishing().keep(input.snapshot(), input.branch(), input.message());
      if (input.moveBranchTo() != null) ws.publishing().moveBranchTo(input.moveBranchTo());
      return kept;
    } catch (WorkspaceException e) {
      throw Failures.workspace(e);
    }
  }

  private String spawnArguments(SpawnedFrom from) {
    String arguments = conversations.arguments(from.contextRef(), from.callId());
    if (arguments == null) {
      throw new WorkspaceException("the spawn_agents call " + from.callId() + " is not in the coordinator's checkpoint "
          + from.contextRef(), true);
    }
    return arguments;
  }

  private static void heartbeat() {
    Activity.getExecutionContext().heartbeat(null);
  }
}
