package dev.marathon.activities.model.local;

import com.fasterxml.jackson.databind.JsonNode;
import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.Pair;
import de.kherud.llama.args.LogFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * llama.cpp in this JVM (java-llama.cpp), answering one chat request at a time. Greedy decoding with
 * a mild repetition penalty: the same request gets the same answer, which is what a run that may be
 * retried after a crash wants.
 */
final class LocalEngine implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalEngine.class);

  static {
    LlamaModel.setLogger(LogFormat.TEXT, (level, message) -> log.debug("llama.cpp: {}", message.strip()));
  }

  /** The most a reply may be, unless the request asks for less. */
  static final int MAX_REPLY_TOKENS = 512;

  /** What the model said: a tool call (when tools were offered) or text. */
  record Completion(String text, String toolName, String arguments, int promptTokens, int completionTokens, String finishReason) {}

  /** The prompt does not fit the context: answered like llama.cpp answers it (HTTP 400). */
  static final class TooLong extends RuntimeException {
    final int promptTokens;
    final int contextTokens;

    TooLong(int promptTokens, int contextTokens) {
      super("the request (" + promptTokens + " tokens) exceeds the available context size (" + contextTokens + " tokens)");
      this.promptTokens = promptTokens;
      this.contextTokens = contextTokens;
    }
  }

  private final LlamaModel model;
  private final int contextTokens;
  private final Map<String, String> grammars = new LinkedHashMap<>(8, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
      return size() > 8;
    }
  };

  LocalEngine(Path weights, int contextTokens) {
    this.contextTokens = contextTokens;
    int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    this.model = new LlamaModel(new ModelParameters().setModel(weights.toString()).setCtxSize(contextTokens).setThreads(threads)
        .disableLog().disablePerf());
  }

  int contextTokens() {
    return contextTokens;
  }

  /** Answers {@code request} (OpenAI chat completions shape); {@code onText} gets each piece as it is made. */
  synchronized Completion complete(JsonNode request, Consumer<String> onText) {
    LocalPrompt p = LocalPrompt.of(request);
    List<Pair<String, String>> turns = new ArrayList<>();
    for (String[] t : p.turns()) turns.add(new Pair<>(t[0], t[1]));
    String prompt = model.applyTemplate(new InferenceParameters("").setMessages(p.system(), turns));
    int promptTokens = model.encode(prompt).length;
    int room = contextTokens - promptTokens;
    int asked = request.path("max_tokens").asInt(request.path("max_completion_tokens").asInt(MAX_REPLY_TOKENS));
    int maxTokens = Math.min(Math.min(asked, MAX_REPLY_TOKENS), room);
    if (maxTokens < 16) throw new TooLong(promptTokens, contextTokens);
    InferenceParameters params = new InferenceParameters(prompt)
        .setNPredict(maxTokens).setTemperature(0f).setRepeatPenalty(1.1f).setRepeatLastN(64).setCachePrompt(true);
    JsonNode tools = request.path("tools");
    boolean withTools = tools.isArray() && tools.size() > 0;
    if (withTools) {
      String schema = LocalPrompt.answerSchema(tools, p.hasToolResult());
      params.setGrammar(grammars.computeIfAbsent(schema, LlamaModel::jsonSchemaToGrammar));
    }
    StringBuilder text = new StringBuilder();
    int tokens = 0;
    for (LlamaOutput out : model.generate(params)) {
      text.append(out.text);
      tokens++;
      onText.accept(out.text);
    }
    boolean cut = tokens >= maxTokens;
    if (!withTools) return new Completion(text.toString(), null, null, promptTokens, tokens, cut ? "length" : "stop");
    CallText call = CallText.of(text.toString());
    // Cut short by the token limit, the arguments are what was made; finish_reason says so.
    String arguments = call.arguments() != null ? call.arguments()
        : call.argumentsStart() >= 0 ? text.substring(call.argumentsStart()).strip() : "";
    String name = call.name();
    return new Completion(null, name, arguments, promptTokens, tokens, cut ? "length" : "tool_calls");
  }

  @Override
  public void close() {
    model.close();
  }
}
