package dev.marathon.activities;

import dev.marathon.activities.policy.KeyBindings;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.marathon.activities.model.ChatRequest;
import dev.marathon.activities.model.ContextWindows;
import dev.marathon.activities.model.ModelClient;
import dev.marathon.activities.model.ModelEndpoint;
import dev.marathon.activities.model.ModelException;
import dev.marathon.activities.model.ModelReply;
import dev.marathon.activities.model.Provider;
import dev.marathon.activities.model.local.LocalModels;
import dev.marathon.activities.store.Conversations;
import dev.marathon.activities.store.CorruptObjectException;
import dev.marathon.activities.store.Message;
import dev.marathon.activities.store.TurnMeta;
import dev.marathon.activities.tools.McpToolList;
import dev.marathon.activities.tools.ToolCatalog;
import dev.marathon.workflows.ModelSettings;
import dev.marathon.workflows.Text;
import dev.marathon.workflows.Usage;
import dev.marathon.workflows.api.CompactInput;
import dev.marathon.workflows.api.CompactResult;
import dev.marathon.workflows.api.ModelActivities;
import dev.marathon.workflows.api.Observation;
import dev.marathon.workflows.api.ThinkInput;
import dev.marathon.workflows.api.ThinkResult;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Model turns. Loads the conversation by ref, appends what happened since, asks the model,
 * checkpoints the answer with its reasoning, and hands the workflow only refs and digests.
 */
public final class ModelActivitiesImpl implements ModelActivities {
  /** Characters of reply and reasoning shown in history (and so on the Web UI timeline). */
  static final int DIGEST_CHARS = 300;

  private final Conversations conversations;
  private final ModelClient client;
  private final ToolCatalog catalog;
  /** What a swarm's coordinator is offered: the same tools and spawn_agents, wait_agents, agent_status. */
  private final ToolCatalog coordinatorCatalog;
  private final Prices prices;
  private final Secrets secrets;

  private final LocalModels localModels;
  /** Where this worker sends each key; a run's input cannot add to it. */
  private final KeyBindings keys;
  private final ContextWindows contextWindows = new ContextWindows();

  public ModelActivitiesImpl(Conversations conversations, ModelClient client, ToolCatalog catalog, Prices prices, Secrets secrets,
      LocalModels localModels, KeyBindings keys) {
    this.localModels = localModels;
    this.keys = keys;
    this.conversations = conversations;
    this.client = client;
    this.catalog = catalog;
    this.coordinatorCatalog = catalog.withSwarmTools();
    this.prices = prices;
    this.secrets = secrets;
  }

  @Override
  public ThinkResult think(ThinkInput input) {
    try {
      return thinkOnce(input);
    } catch (CorruptObjectException e) {
      throw Failures.corrupt(e);
    }
  }

  private ThinkResult thinkOnce(ThinkInput input) {
    ModelSettings settings = input.model();
    Provider provider = Provider.of(settings);
    ToolCatalog catalog = input.coordinator() ? coordinatorCatalog : this.catalog;
    if (input.mcpToolsRef() != null) catalog = catalog.with(McpToolList.recorded(conversations.store(), input.mcpToolsRef()));
    List<Message> added = new ArrayList<>();
    for (Observation o : input.observations()) {
      added.add(o.ref() != null
          ? Message.storedToolResult(o.callId(), o.tool(), o.ref(), conversations.store().getText(o.ref()))
          : Message.toolResult(o.callId(), o.tool(), o.text()));
    }
    List<Message> history = conversations.load(input.contextRef());
    added.addAll(DanglingCalls.answer(history, added));
    for (String m : input.userMessages()) added.add(Message.user(m));
    // Earlier replies go back as the model may be sent them: a runaway one capped (it stays whole in the store).
    List<Message> prompt = prompt(history, added, ReplyCap.MAX_REPLY_CHARS);

    // The tool schemas are part of the prompt too (eight tools: about 1,100 tokens).
    long schemaTokens = catalog.schemas().toString().length() / 4;
    long estimate = TokenEstimate.of(prompt) + schemaTokens;
    Long learned = provider == Provider.GENERIC || provider == Provider.LOCAL ? contextWindows.of(settings.baseUrl(), settings.model()) : null;
    long window = settings.windowWith(learned);
    if (window > 0 && estimate > window && ReplyCap.forWindow(window) < ReplyCap.MAX_REPLY_CHARS) {
      // A small window: a reply under the cap can still crowd it out, and compaction keeps the latest turn whole.
      List<Message> tighter = prompt(history, added, ReplyCap.forWindow(window));
      long tighterEstimate = TokenEstimate.of(tighter) + schemaTokens;
      if (tighterEstimate < estimate) {
        prompt = tighter;
        estimate = tighterEstimate;
      }
    }
    if (window > 0 && estimate > window) {
      // Do not send what cannot fit: the workflow compacts on this failure and tries again.
      throw Failures.model(new ModelException(ModelException.Kind.CONTEXT_OVERFLOW, "the prompt (about " + estimate
          + " tokens) is larger than the model's context window (" + window + " tokens)", null, window), secrets);
    }
    ObjectNode body = ChatRequest.body(settings.model(), prompt, catalog.schemas(), provider, settings.maxOutputTokens(), settings.streams());
    long startedAt = System.currentTimeMillis();
    ModelReply reply = secrets.redact(complete(settings, provider, body, input.runId(), input.turn()));
    long modelMillis = System.currentTimeMillis() - startedAt;

    long promptTokens = reply.promptTokens() > 0 ? reply.promptTokens() : estimate;
    Message answer = Message.assistant(reply.content(), reply.reasoning(), reply.reasoningField(), reply.calls(), provider.wireName());
    Message sentBack = ReplyCap.apply(answer);
    // The context grows by the reply as it will be sent back, which a capped reply is not.
    long replyTokens = sentBack == answer ? reply.completionTokens() : TokenEstimate.of(List.of(sentBack));
    Usage usage = new Usage(promptTokens, reply.completionTokens(), reply.cachedTokens(),
        prices.of(settings).cost(promptTokens, reply.cachedTokens(), reply.completionTokens()),
        promptTokens + replyTokens);
    added.add(answer);
    String contextRef = conversations.append(input.contextRef(), added, new TurnMeta(input.turn(), input.workspaceRef(),
        usage.promptTokens(), usage.completionTokens(), usage.cachedTokens(), usage.costUsd(), startedAt, modelMillis));
    boolean cut = "length".equals(reply.finishReason());
    return new ThinkResult(contextRef, catalog.read(reply.calls(), cut ? settings.maxOutputTokens() : 0),
        digest(reply.content(), sentBack.content()), digest(reply.reasoning(), sentBack.reasoning()), usage, reply.finishReason(),
        window != settings.contextWindow() ? window : null);
  }

  /** The conversation so far with each reply capped at {@code cap} characters, then what this turn adds. */
  private static List<Message> prompt(List<Message> history, List<Message> added, int cap) {
    List<Message> prompt = new ArrayList<>(ReplyCap.apply(history, cap));
    prompt.addAll(added);
    return prompt;
  }

  /** The start of a reply's text or reasoning for history; one that is omitted from the context says so first. */
  private static String digest(String text, String sentBack) {
    if (text == null || text.equals(sentBack)) return Text.oneLine(text, DIGEST_CHARS);
    return Text.oneLine("[" + String.format(java.util.Locale.ROOT, "%,d", text.length()) + " characters, over the cap: omitted from the context]"
        + " " + text.substring(0, Math.min(text.length(), 4 * DIGEST_CHARS)), DIGEST_CHARS);
  }

  @Override
  public CompactResult compact(CompactInput input) {
    try {
      return compactOnce(input);
    } catch (CorruptObjectException e) {
      throw Failures.corrupt(e);
    }
  }

  private CompactResult compactOnce(CompactInput input) {
    Compactor compactor = new Compactor(conversations, catalog, (messages, purpose) -> {
      Provider provider = Provider.of(input.model());
      ObjectNode body = ChatRequest.body(input.model().model(), messages, null, provider, input.model().maxOutputTokens(),
          input.model().streams());
      return complete(input.model(), provider, body, input.runId(), input.turn());
    });
    // The tool schemas go with every request: what the conversation may take is the target less them.
    long target = input.targetTokens() <= 0 ? input.targetTokens()
        : Math.max(input.targetTokens() - catalog.schemas().toString().length() / 4, input.targetTokens() / 4);
    Compactor.Result r = compactor.compact(input.contextRef(), target, input.keepTurns(), input.plan());
    Usage usage = r.reply() == null ? new Usage(0, 0, 0, 0, r.tokensAfter())
        : new Usage(r.reply().promptTokens(), r.reply().completionTokens(), r.reply().cachedTokens(),
            prices.of(input.model()).cost(r.reply().promptTokens(), r.reply().cachedTokens(), r.reply().completionTokens()),
            r.tokensAfter());
    return new CompactResult(r.contextRef(), r.method(), r.tokensBefore(), r.tokensAfter(), usage, r.note());
  }

  /** The activity this thread runs, or null when the loop is called directly (the in-process benchmark). */
  private static ActivityExecutionContext currentActivity() {
    try {
      return Activity.getExecutionContext();
    } catch (IllegalStateException notInAnActivity) {
      return null;
    }
  }

  /** One HTTP call with heartbeats; failures classified into Temporal failures here, once. */
  private ModelReply complete(ModelSettings settings, Provider provider, ObjectNode body, String runId, int turn) {
    if (provider == Provider.LOCAL) {
      ActivityExecutionContext activity = currentActivity();
      localModels.ensureServing(settings.baseUrl(), line -> { if (activity != null) activity.heartbeat("installing the local model: " + line); });
    }
    String keyEnv = settings.apiKeyEnv();
    String key = keyEnv == null || keyEnv.isBlank() ? null : System.getenv(keyEnv);
    secrets.remember(keyEnv); // commands the agent runs must not see it, outputs must not show it
    String refused = key == null ? null : keys.refusal(keyEnv, settings.baseUrl());
    if (refused != null) throw Failures.model(new ModelException(ModelException.Kind.AUTH, refused, null), secrets);
    ModelEndpoint endpoint = new ModelEndpoint(settings.baseUrl(), key, keyEnv);
    try {
      ActivityExecutionContext activity = currentActivity();
      QuietHeartbeat beat = activity == null ? null : new QuietHeartbeat(activity);
      Duration heartbeat = activity == null ? null : activity.getInfo().getHeartbeatTimeout();
      Duration stall = heartbeat == null || heartbeat.isZero() ? Duration.ofMinutes(1) : heartbeat;
      // The live turn (its last output) rides on the heartbeat: the Web UI shows it under the pending
      // activity, and watch prints it, without one event in history.
      return client.complete(endpoint, body, turn,
          Map.of("X-Marathon-Run", runId, "X-Marathon-Turn", Integer.toString(turn)), stall, last -> {
            if (beat != null) {
              beat.beat(last == null ? "turn " + turn + ": waiting for the model" : "turn " + turn + ": …" + secrets.redact(last));
            }
          });
    } catch (ModelException e) {
      if (e.kind() == ModelException.Kind.AUTH && key == null) {
        e = new ModelException(e.kind(), e.getMessage() + " (" + keyEnv + " is not set on this worker)", null);
      }
      throw Failures.model(e, secrets);
    }
  }
}
