package dev.marathon.activities;

import dev.marathon.activities.model.ModelReply;
import dev.marathon.activities.store.Message;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.regex.Pattern;

/**
 * The worker's secrets: environment variables that hold API keys (the run's {@code --api-key-env}
 * and every variable whose name ends in KEY, TOKEN, SECRET or PASSWORD). Commands the agent runs do
 * not inherit them. Their values are replaced by {@code [REDACTED]} in everything Marathon stores,
 * logs or puts in history from the outside world: model replies (text, reasoning and tool-call
 * arguments) before they are checkpointed, tool output before it is stored, and error messages.
 */
public final class Secrets {
  private static final Pattern KEY_NAME = Pattern.compile("(?i).*(KEY|TOKEN|SECRET|PASSWORD)$");
  /** Values shorter than this are not treated as secrets (they would scrub ordinary words). */
  private static final int MIN_SECRET_CHARS = 8;

  private final Map<String, String> env;
  private final Set<String> names = new CopyOnWriteArraySet<>();
  private final List<String> values = new CopyOnWriteArrayList<>();

  public Secrets(Map<String, String> env, Set<String> alsoSecret) {
    this.env = Map.copyOf(env);
    alsoSecret.forEach(this::remember);
    for (String name : env.keySet()) if (KEY_NAME.matcher(name).matches()) remember(name);
  }

  /** Treats variable {@code name} as a secret from now on (a run's --api-key-env, say). */
  public void remember(String name) {
    if (name == null || name.isBlank() || !names.add(name)) return;
    String v = env.get(name);
    if (v != null && v.length() >= MIN_SECRET_CHARS && !values.contains(v)) {
      values.add(v);
      values.sort(Comparator.comparingInt(String::length).reversed()); // longest first: no partial leftovers
    }
  }

  public static Secrets fromEnvironment() {
    return new Secrets(System.getenv(), Set.of("MARATHON_API_KEY"));
  }

  /** Variable names a command must not inherit. */
  public Set<String> names() {
    return names;
  }

  /** A model reply with every secret value replaced in its text, reasoning and tool-call arguments. */
  public ModelReply redact(ModelReply r) {
    if (values.isEmpty()) return r;
    List<Message.Call> calls = new ArrayList<>();
    for (var c : r.calls()) calls.add(new Message.Call(c.id(), c.name(), redact(c.arguments())));
    return new ModelReply(redact(r.content()), redact(r.reasoning()), r.reasoningField(), calls,
        r.finishReason(), r.promptTokens(), r.completionTokens(), r.cachedTokens());
  }

  /** {@code text} with every secret value replaced by {@code [REDACTED]}. */
  public String redact(String text) {
    if (text == null || values.isEmpty()) return text;
    String out = text;
    for (String v : values) if (out.contains(v)) out = out.replace(v, "[REDACTED]");
    return out;
  }
}
