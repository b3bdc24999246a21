package dev.marathon.activities;

import dev.marathon.activities.model.ModelReply;
import dev.marathon.activities.store.Message;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
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
  /** The values' encoded forms: base64 (standard and URL-safe, every byte alignment) and hex. */
  private final List<String> encoded = new CopyOnWriteArrayList<>();

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
      encoded.addAll(encodings(v));
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

  /**
   * {@code text} with every secret value, and its base64 and hex forms, replaced by {@code
   * [REDACTED]}. Encoded forms are found across line breaks too ({@code base64} and {@code xxd -p}
   * wrap their output). This is the last line of defence, not the containment: commands never get
   * the key in the first place.
   */
  public String redact(String text) {
    if (text == null || values.isEmpty()) return text;
    String out = text;
    for (String v : values) if (out.contains(v)) out = out.replace(v, "[REDACTED]");
    return redactEncoded(out);
  }

  private String redactEncoded(String text) {
    StringBuilder dense = new StringBuilder(text.length());
    int[] at = new int[text.length()];
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!Character.isWhitespace(c)) {
        at[dense.length()] = i;
        dense.append(c);
      }
    }
    List<int[]> spans = new ArrayList<>();
    for (String form : encoded) {
      for (int i = dense.indexOf(form); i >= 0; i = dense.indexOf(form, i + 1)) {
        spans.add(new int[] {at[i], at[i + form.length() - 1] + 1});
      }
    }
    if (spans.isEmpty()) return text;
    spans.sort(Comparator.comparingInt((int[] span) -> span[0]));
    StringBuilder out = new StringBuilder();
    int from = 0;
    for (int[] span : spans) {
      if (span[0] < from) {
        from = Math.max(from, span[1]);
        continue;
      }
      out.append(text, from, span[0]).append("[REDACTED]");
      from = span[1];
    }
    return out.append(text.substring(from)).toString();
  }

  /**
   * The parts of a value's base64 that do not depend on its neighbours, for each of the three byte
   * alignments it can have inside a longer text, in both alphabets; and its hex, both cases.
   */
  static List<String> encodings(String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    List<String> forms = new ArrayList<>();
    for (int align = 0; align < 3; align++) {
      byte[] shifted = new byte[align + bytes.length];
      System.arraycopy(bytes, 0, shifted, align, bytes.length);
      String b64 = Base64.getEncoder().withoutPadding().encodeToString(shifted);
      int firstGroup = (align + 2) / 3;
      int lastGroup = (align + bytes.length) / 3 - 1;
      if (lastGroup - firstGroup + 1 < 2) continue; // too short to be told from chance
      String core = b64.substring(4 * firstGroup, Math.min(b64.length(), 4 * (lastGroup + 1)));
      forms.add(core);
      forms.add(core.replace('+', '-').replace('/', '_'));
    }
    String hex = HexFormat.of().formatHex(bytes);
    forms.add(hex);
    forms.add(hex.toUpperCase(java.util.Locale.ROOT));
    return forms;
  }
}
