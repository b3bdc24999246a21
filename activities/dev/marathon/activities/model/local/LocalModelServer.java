package dev.marathon.activities.model.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.marathon.activities.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local model behind an OpenAI-compatible endpoint on localhost, so a run on it goes through
 * exactly the client path every remote provider uses: {@code POST /v1/chat/completions} (JSON, or
 * SSE with {@code stream: true}) and {@code GET /v1/models}, which reports the context size the way
 * llama.cpp's server does ({@code meta.n_ctx}). When tools are offered, the answer is one tool call
 * forced by a grammar ({@link LocalPrompt}) and comes back as ordinary {@code tool_calls}.
 */
public final class LocalModelServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalModelServer.class);
  /** SmolLM2's trained context. */
  public static final int CONTEXT_TOKENS = 8192;

  private final HttpServer http;
  private final LocalEngine engine;

  private LocalModelServer(HttpServer http, LocalEngine engine) {
    this.http = http;
    this.engine = engine;
  }

  /** Installs the weights if needed, loads them, and serves on {@code 127.0.0.1:port} (0: any free port). */
  public static LocalModelServer start(int port, Path modelsDir, Consumer<String> progress) throws IOException {
    Path weights = LocalWeights.install(modelsDir, progress);
    LocalEngine engine = new LocalEngine(weights, CONTEXT_TOKENS);
    HttpServer http = NoDelayHttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
    LocalModelServer server = new LocalModelServer(http, engine);
    http.createContext("/v1/chat/completions", server::complete);
    http.createContext("/v1/models", server::models);
    http.setExecutor(Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "local-model-http");
      t.setDaemon(true);
      return t;
    }));
    http.start();
    return server;
  }

  public int port() {
    return http.getAddress().getPort();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port() + "/v1";
  }

  private void models(HttpExchange ex) throws IOException {
    try (ex) {
      ObjectNode root = Json.MAPPER.createObjectNode().put("object", "list");
      ObjectNode m = root.putArray("data").addObject()
          .put("id", LocalWeights.MODEL).put("object", "model").put("owned_by", "marathon");
      m.putObject("meta").put("n_ctx", engine.contextTokens()).put("n_ctx_train", CONTEXT_TOKENS);
      send(ex, 200, root.toString());
    }
  }

  private void complete(HttpExchange ex) throws IOException {
    try (ex) {
      if (!"POST".equals(ex.getRequestMethod())) {
        send(ex, 405, error("use POST", "invalid_request_error"));
        return;
      }
      JsonNode request;
      try {
        request = Json.MAPPER.readTree(ex.getRequestBody());
      } catch (IOException e) {
        send(ex, 400, error("the body is not JSON: " + e.getMessage(), "invalid_request_error"));
        return;
      }
      String id = "chatcmpl-" + UUID.randomUUID();
      try {
        if (request.path("stream").asBoolean(false)) stream(ex, id, request);
        else send(ex, 200, completion(id, request, engine.complete(request, piece -> { })).toString());
      } catch (LocalEngine.TooLong e) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.putObject("error").put("code", 400).put("message", e.getMessage()).put("type", "exceed_context_size_error")
            .put("n_prompt_tokens", e.promptTokens).put("n_ctx", e.contextTokens);
        send(ex, 400, body.toString());
      } catch (RuntimeException e) {
        log.warn("local model failed", e);
        send(ex, 500, error("the local model failed: " + e.getMessage(), "server_error"));
      }
    }
  }

  private ObjectNode completion(String id, JsonNode request, LocalEngine.Completion c) {
    ObjectNode root = Json.MAPPER.createObjectNode().put("id", id).put("object", "chat.completion")
        .put("created", System.currentTimeMillis() / 1000).put("model", request.path("model").asText(LocalWeights.MODEL));
    ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
    ObjectNode message = choice.putObject("message").put("role", "assistant");
    if (c.toolName() != null) {
      message.putNull("content");
      ObjectNode call = message.putArray("tool_calls").addObject().put("id", "call_" + id.substring(9, 21)).put("type", "function");
      call.putObject("function").put("name", c.toolName()).put("arguments", c.arguments());
    } else {
      message.put("content", c.text() == null ? "" : c.text());
    }
    choice.put("finish_reason", c.finishReason());
    usage(root.putObject("usage"), c);
    return root;
  }

  /** SSE: content deltas as the model makes them; a tool call's name once complete, then its arguments in pieces. */
  private void stream(HttpExchange ex, String id, JsonNode request) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "text/event-stream");
    ex.getResponseHeaders().set("Cache-Control", "no-cache");
    ex.sendResponseHeaders(200, 0);
    OutputStream out = ex.getResponseBody();
    String model = request.path("model").asText(LocalWeights.MODEL);
    boolean withTools = request.path("tools").isArray() && request.path("tools").size() > 0;
    String callId = "call_" + id.substring(9, 21);
    StringBuilder text = new StringBuilder();
    int[] sent = {0}; // characters of the arguments already sent
    boolean[] named = {false};
    LocalEngine.Completion c = engine.complete(request, piece -> {
      text.append(piece);
      if (!withTools) {
        event(out, chunk(id, model, delta -> delta.put("content", piece), null));
        return;
      }
      CallText call = CallText.of(text.toString());
      if (!named[0] && call.name() != null && call.argumentsStart() >= 0) {
        named[0] = true;
        event(out, chunk(id, model, delta -> delta.putArray("tool_calls").addObject().put("index", 0).put("id", callId)
            .put("type", "function").putObject("function").put("name", call.name()).put("arguments", ""), null));
      }
      if (named[0]) {
        // Never the last non-blank character: it may close the call rather than the arguments.
        int upTo = text.length();
        while (upTo > 0 && Character.isWhitespace(text.charAt(upTo - 1))) upTo--;
        upTo--;
        int from = call.argumentsStart() + sent[0];
        if (upTo > from) {
          String fragment = text.substring(from, upTo);
          sent[0] += fragment.length();
          event(out, chunk(id, model, delta -> delta.putArray("tool_calls").addObject().put("index", 0)
              .putObject("function").put("arguments", fragment), null));
        }
      }
    });
    if (withTools) {
      if (!named[0]) {
        event(out, chunk(id, model, delta -> delta.putArray("tool_calls").addObject().put("index", 0).put("id", callId)
            .put("type", "function").putObject("function").put("name", c.toolName() == null ? "" : c.toolName()).put("arguments", ""), null));
      }
      String args = c.arguments() == null ? "" : c.arguments();
      if (args.length() > sent[0]) {
        String rest = args.substring(sent[0]);
        event(out, chunk(id, model, delta -> delta.putArray("tool_calls").addObject().put("index", 0).putObject("function").put("arguments", rest), null));
      }
    }
    event(out, chunk(id, model, delta -> { }, c.finishReason()));
    ObjectNode last = Json.MAPPER.createObjectNode().put("id", id).put("object", "chat.completion.chunk").put("model", model);
    last.putArray("choices");
    usage(last.putObject("usage"), c);
    event(out, last);
    out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static ObjectNode chunk(String id, String model, Consumer<ObjectNode> delta, String finish) {
    ObjectNode root = Json.MAPPER.createObjectNode().put("id", id).put("object", "chat.completion.chunk")
        .put("created", System.currentTimeMillis() / 1000).put("model", model);
    ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
    delta.accept(choice.putObject("delta"));
    if (finish == null) choice.putNull("finish_reason");
    else choice.put("finish_reason", finish);
    return root;
  }

  private static void event(OutputStream out, ObjectNode json) {
    try {
      out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    } catch (IOException gone) {
      throw new IllegalStateException("the client went away", gone);
    }
  }

  private static void usage(ObjectNode u, LocalEngine.Completion c) {
    u.put("prompt_tokens", c.promptTokens()).put("completion_tokens", c.completionTokens())
        .put("total_tokens", c.promptTokens() + c.completionTokens());
  }

  private static String error(String message, String type) {
    ObjectNode e = Json.MAPPER.createObjectNode();
    e.putObject("error").put("message", message).put("type", type).putNull("code");
    return e.toString();
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(bytes);
    }
  }

  @Override
  public void close() {
    http.stop(0);
    engine.close();
  }
}
