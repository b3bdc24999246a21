package dev.marathon.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.marathon.activities.Json;
import dev.marathon.activities.ReplyCap;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted model behind the real OpenAI-compatible protocol over HTTP: {@code POST
 * /v1/chat/completions}. The reply for a request is chosen by the turn Marathon sends in the
 * {@code X-Marathon-Turn} header, so a retried or resumed turn gets the same reply.
 *
 * <p>It is as strict as the strictest provider: an assistant tool-call message that does not
 * carry back, verbatim, the reasoning this server produced for it (or, for a reply over {@link
 * ReplyCap#MAX_REPLY_CHARS}, Marathon's notice in its place), or a tool call without a result, is
 * refused with HTTP 400 (like Kimi and OpenAI) and recorded as a violation.
 */
public final class ScriptedModel implements AutoCloseable {

  /** Chooses the reply for a turn; may look at the request. */
  @FunctionalInterface
  public interface Script {
    Reply reply(int turn, JsonNode request);
  }

  /** A tool call in a reply; {@code arguments} is serialized to a JSON string ({@link Raw} is sent as is). */
  public record Call(String name, Object arguments) {}

  /** Arguments text sent exactly as given, e.g. malformed JSON. */
  public record Raw(String text) {}

  /**
   * What happens to a streamed reply after some chunks: it stops sending (stall), the connection
   * is cut, or it holds still until {@code hold} is released and then goes on (a model thinking
   * slowly while the test looks at the run).
   */
  public record Fault(int afterChunks, boolean stall, java.util.concurrent.CountDownLatch hold) {
    public static Fault stallAfter(int chunks) {
      return new Fault(chunks, true, null);
    }

    public static Fault cutAfter(int chunks) {
      return new Fault(chunks, false, null);
    }

    public static Fault holdAfter(int chunks, java.util.concurrent.CountDownLatch until) {
      return new Fault(chunks, false, until);
    }
  }

  /**
   * One reply: a completion, or an HTTP error; when streamed, maybe with a fault.
   *
   * @param finishReason null: {@code tool_calls} or {@code stop}, as the reply has calls or not
   */
  public record Reply(String reasoning, String content, List<Call> calls, int status, String errorBody, Map<String, String> headers,
      Fault fault, String finishReason) {
    public Reply(String reasoning, String content, List<Call> calls, int status, String errorBody, Map<String, String> headers) {
      this(reasoning, content, calls, status, errorBody, headers, null, null);
    }

    /** The same reply, going wrong this way when it is streamed. */
    public Reply failing(Fault f) {
      return new Reply(reasoning, content, calls, status, errorBody, headers, f, finishReason);
    }

    /** The same reply, said to be cut at the output limit ({@code finish_reason: length}). */
    public Reply cutAtLimit() {
      return new Reply(reasoning, content, calls, status, errorBody, headers, fault, "length");
    }

    public static Reply tools(String reasoning, Call... calls) {
      return new Reply(reasoning, null, List.of(calls), 200, null, Map.of());
    }

    public static Reply text(String reasoning, String content) {
      return new Reply(reasoning, content, List.of(), 200, null, Map.of());
    }

    public static Reply error(int status, String body, Map<String, String> headers) {
      return new Reply(null, null, List.of(), status, body, headers);
    }
  }

  /** A request the server saw. */
  public record Seen(int turn, JsonNode body, Map<String, List<String>> headers, int status) {}

  private static final ThreadLocal<String> CURRENT_RUN = new ThreadLocal<>();

  /** The run (X-Marathon-Run) whose request a script is answering right now; for scripts that tell runs apart. */
  public static String run() {
    return CURRENT_RUN.get();
  }

  /** The first user message of a request: a run's task (sub-agents of a swarm are told apart by it). */
  public static String task(JsonNode request) {
    for (JsonNode m : request.path("messages")) if (m.path("role").asText().equals("user")) return m.path("content").asText();
    return "";
  }

  /** The user messages sent since the last assistant message (steering, notices). */
  public static String newUserText(JsonNode request) {
    StringBuilder sb = new StringBuilder();
    for (JsonNode m : request.path("messages")) {
      String role = m.path("role").asText();
      if (role.equals("assistant")) sb.setLength(0);
      else if (role.equals("user")) sb.append(m.path("content").asText()).append('\n');
    }
    return sb.toString();
  }

  public static Call bash(String command) {
    return new Call("bash", Map.of("command", command));
  }

  public static Call call(String name, Map<String, Object> args) {
    return new Call(name, args);
  }

  public static Call finish(String summary) {
    return new Call("finish", Map.of("summary", summary));
  }

  private final HttpServer server;
  private volatile Script script;
  private final List<Seen> requests = Collections.synchronizedList(new ArrayList<>());
  private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
  /** Turns of requests as they arrive, before the script answers (which may take a while). */
  private final List<Integer> arrivals = Collections.synchronizedList(new ArrayList<>());
  /** Reasoning this server produced, by the first tool call id (or content) of the reply. */
  private final Map<String, String> producedReasoning = Collections.synchronizedMap(new HashMap<>());
  private final AtomicInteger completions = new AtomicInteger();
  /** When true, summarization requests (no tools offered) get a canned summary. */
  private volatile String summary = "Summary: the agent explored the code, made the listed changes and is working through its plan.";

  public ScriptedModel(Script script) throws IOException {
    this.script = script;
    server = dev.marathon.activities.model.local.NoDelayHttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext("/v1/chat/completions", this::handle);
    server.start();
  }

  /** Makes every summarizing request (no tools offered) fail with HTTP 500. */
  public void failSummaries(boolean fail) {
    this.failSummaries = fail;
  }

  private volatile boolean failSummaries;

  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  /** Long benchmarks keep only turn and status of each request, not its body. */
  public ScriptedModel keepBodies(boolean keep) {
    this.keepBodies = keep;
    return this;
  }

  private volatile boolean keepBodies = true;

  public void script(Script script) {
    this.script = script;
  }

  public List<Seen> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  /** When (System.nanoTime()) the first request for {@code turn} arrived; empty when none has. */
  public java.util.OptionalLong arrivedAt(int turn) {
    Long at = firstArrival.get(turn);
    return at == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(at);
  }

  private final Map<Integer, Long> firstArrival = new java.util.concurrent.ConcurrentHashMap<>();

  /** Turns asked so far, counted when each request arrives. */
  public List<Integer> arrivals() {
    synchronized (arrivals) {
      return List.copyOf(arrivals);
    }
  }

  public List<String> violations() {
    synchronized (violations) {
      return List.copyOf(violations);
    }
  }

  public int completions() {
    return completions.get();
  }

  /** The tool results the request for {@code turn} carried (the previous turn's calls), one per line. */
  public String toolResults(int turn) {
    StringBuilder sb = new StringBuilder();
    for (Seen seen : requests()) {
      if (seen.turn() != turn || seen.body() == null) continue;
      sb.setLength(0);
      boolean afterLastAssistant = false;
      for (JsonNode m : seen.body().path("messages")) {
        if (m.path("role").asText().equals("assistant")) {
          afterLastAssistant = true;
          sb.setLength(0);
        } else if (afterLastAssistant && m.path("role").asText().equals("tool")) {
          sb.append(m.path("content").asText()).append('\n');
        }
      }
    }
    return sb.toString();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      if (!"POST".equals(ex.getRequestMethod())) {
        send(ex, 405, "{\"error\":{\"message\":\"use POST\"}}", Map.of());
        return;
      }
      JsonNode body = Json.MAPPER.readTree(ex.getRequestBody());
      String turnHeader = ex.getRequestHeaders().getFirst("X-Marathon-Turn");
      int turn = turnHeader == null ? -1 : Integer.parseInt(turnHeader);
      boolean summarizing = !body.has("tools");
      arrivals.add(turn);
      firstArrival.putIfAbsent(turn, System.nanoTime());
      String run = ex.getRequestHeaders().getFirst("X-Marathon-Run");
      String problem = validate(run, body);
      if (problem != null) {
        violations.add("turn " + turn + ": " + problem);
        requests.add(new Seen(turn, keepBodies ? body : null, Map.copyOf(ex.getRequestHeaders()), 400));
        send(ex, 400, error(problem), Map.of());
        return;
      }
      CURRENT_RUN.set(run);
      Reply reply = summarizing
          ? (failSummaries ? Reply.error(500, "{\"error\":{\"message\":\"summarizer down\"}}", Map.of()) : Reply.text(null, summary))
          : script.reply(turn, body);
      requests.add(new Seen(turn, keepBodies ? body : null, keepBodies ? Map.copyOf(ex.getRequestHeaders()) : Map.of(), reply.status()));
      if (reply.status() != 200) {
        send(ex, reply.status(), reply.errorBody(), reply.headers());
        return;
      }
      completions.incrementAndGet();
      ObjectNode completion = completion(run, turn, reply, body);
      if (body.path("stream").asBoolean(false)) stream(ex, completion, reply.fault());
      else send(ex, 200, Json.MAPPER.writeValueAsString(completion), Map.of());
    } catch (RuntimeException e) {
      violations.add("server error: " + e);
      send(ex, 500, error("scripted model failed: " + e.getMessage()), Map.of());
    }
  }

  private ObjectNode completion(String run, int turn, Reply reply, JsonNode request) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("id", "chatcmpl-" + turn);
    root.put("object", "chat.completion");
    root.put("model", request.path("model").asText());
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode message = choice.putObject("message");
    message.put("role", "assistant");
    if (reply.content() != null) message.put("content", reply.content());
    else message.putNull("content");
    if (reply.reasoning() != null) message.put("reasoning_content", reply.reasoning());
    String key = reply.content();
    if (!reply.calls().isEmpty()) {
      ArrayNode calls = message.putArray("tool_calls");
      for (int i = 0; i < reply.calls().size(); i++) {
        Call c = reply.calls().get(i);
        String id = "call_" + turn + "_" + i;
        if (i == 0) key = id;
        ObjectNode tc = calls.addObject().put("id", id).put("type", "function");
        tc.putObject("function").put("name", c.name()).put("arguments", c.arguments() instanceof Raw r ? r.text() : Json.MAPPER.valueToTree(c.arguments()).toString());
      }
    }
    if (key != null) producedReasoning.put(run + " " + key, reply.reasoning() == null ? "" : reply.reasoning());
    choice.put("finish_reason", reply.finishReason() != null ? reply.finishReason() : reply.calls().isEmpty() ? "stop" : "tool_calls");
    long promptChars = request.path("messages").toString().length();
    ObjectNode usage = root.putObject("usage");
    usage.put("prompt_tokens", promptChars / 4);
    usage.put("completion_tokens", (message.toString().length()) / 4);
    usage.put("total_tokens", promptChars / 4 + message.toString().length() / 4);
    return root;
  }

  /** Requests that asked for a stream, by turn. */
  public long streamedRequests() {
    return requests().stream().filter(r -> r.body() != null && r.body().path("stream").asBoolean(false)).count();
  }

  /**
   * The completion as server-sent events, the way providers stream: reasoning and text in several
   * deltas, each tool call's id and name first and its arguments in small fragments, the finish
   * reason, then usage in a last chunk without choices, then [DONE]. Each chunk is made as it is
   * sent: a call of megabytes is hundreds of thousands of chunks.
   */
  private static void stream(HttpExchange ex, ObjectNode completion, Fault fault) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "text/event-stream");
    ex.sendResponseHeaders(200, 0);
    OutputStream os = ex.getResponseBody();
    Chunks out = new Chunks(os, fault);
    JsonNode message = completion.path("choices").get(0).path("message");
    if (!out.send(delta(completion, d -> d.put("role", "assistant")))) return;
    for (String piece : pieces(message.path("reasoning_content").asText(null), 3)) {
      if (!out.send(delta(completion, d -> d.put("reasoning_content", piece)))) return;
    }
    for (String piece : pieces(message.path("content").asText(null), 3)) {
      if (!out.send(delta(completion, d -> d.put("content", piece)))) return;
    }
    JsonNode calls = message.path("tool_calls");
    for (int i = 0; i < calls.size(); i++) {
      JsonNode c = calls.get(i);
      int index = i;
      if (!out.send(delta(completion, d -> d.putArray("tool_calls").addObject().put("index", index).put("id", c.path("id").asText())
          .put("type", "function").putObject("function").put("name", c.path("function").path("name").asText()).put("arguments", "")))) {
        return;
      }
      String args = c.path("function").path("arguments").asText();
      for (int at = 0; at < args.length(); at += 8) {
        String fragment = args.substring(at, Math.min(args.length(), at + 8));
        if (!out.send(delta(completion, d -> d.putArray("tool_calls").addObject().put("index", index).putObject("function").put("arguments", fragment)))) {
          return;
        }
      }
    }
    ObjectNode last = delta(completion, d -> { });
    ((ObjectNode) last.path("choices").get(0)).put("finish_reason", completion.path("choices").get(0).path("finish_reason").asText());
    if (!out.send(last)) return;
    ObjectNode usage = Json.MAPPER.createObjectNode().put("id", completion.path("id").asText()).put("object", "chat.completion.chunk");
    usage.putArray("choices");
    usage.set("usage", completion.path("usage"));
    if (!out.send(usage)) return;
    os.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
    os.close();
  }

  /** Writes chunks in order; the fault, if any, strikes before the chunk it names. */
  private static final class Chunks {
    private final OutputStream os;
    private final Fault fault;
    private int sent;

    Chunks(OutputStream os, Fault fault) {
      this.os = os;
      this.fault = fault;
    }

    /** False when the fault ended the stream: send nothing more. */
    boolean send(ObjectNode chunk) throws IOException {
      if (fault != null && sent == fault.afterChunks()) {
        if (fault.hold() != null) {
          await(fault.hold());
        } else {
          if (fault.stall()) sleep(120_000); // the client gives up first, and retries
          os.close();
          return false;
        }
      }
      os.write(("data: " + chunk + "\n\n").getBytes(StandardCharsets.UTF_8));
      os.flush();
      sent++;
      return true;
    }
  }

  private static ObjectNode delta(ObjectNode completion, java.util.function.Consumer<ObjectNode> fill) {
    ObjectNode chunk = Json.MAPPER.createObjectNode().put("id", completion.path("id").asText()).put("object", "chat.completion.chunk")
        .put("model", completion.path("model").asText());
    ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
    fill.accept(choice.putObject("delta"));
    choice.putNull("finish_reason");
    return chunk;
  }

  private static List<String> pieces(String text, int n) {
    if (text == null || text.isEmpty()) return List.of();
    List<String> out = new ArrayList<>();
    int size = Math.max(1, (text.length() + n - 1) / n);
    for (int at = 0; at < text.length(); at += size) out.add(text.substring(at, Math.min(text.length(), at + size)));
    return out;
  }

  private static void await(java.util.concurrent.CountDownLatch latch) {
    try {
      if (!latch.await(120, java.util.concurrent.TimeUnit.SECONDS)) throw new IllegalStateException("a held stream was never released");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The rules strict providers enforce; null when the request keeps them. */
  /** Checks the protocol rules a strict provider enforces; reasoning is compared with what this server gave the same run. */
  private String validate(String run, JsonNode body) {
    JsonNode messages = body.path("messages");
    Set<String> open = new HashSet<>();
    for (int i = 0; i < messages.size(); i++) {
      JsonNode m = messages.get(i);
      String role = m.path("role").asText();
      if (role.equals("assistant")) {
        if (!open.isEmpty()) return "tool calls " + open + " have no result before message " + i;
        JsonNode calls = m.path("tool_calls");
        String key = calls.isArray() && calls.size() > 0 ? calls.get(0).path("id").asText() : m.path("content").asText(null);
        String produced = key == null ? null : producedReasoning.get(run + " " + key);
        if (produced != null && !produced.isEmpty()) {
          String sent = m.path("reasoning_content").asText(null);
          if (sent == null) return "thinking is enabled but reasoning_content is missing in assistant tool call message at index " + i;
          // A reply over Marathon's cap goes back with a notice in its place: a provider cannot tell that from any other reasoning.
          if (!sent.equals(produced) && !sent.startsWith(ReplyCap.MARK)) return "reasoning_content of assistant message " + i + " was modified";
        }
        if (calls.isArray()) for (JsonNode c : calls) open.add(c.path("id").asText());
      } else if (role.equals("tool")) {
        String id = m.path("tool_call_id").asText();
        if (!open.remove(id)) return "tool result for unknown or already answered call " + id + " at message " + i;
      } else if (!open.isEmpty()) {
        return "tool calls " + open + " have no result before message " + i;
      }
    }
    return null;
  }

  private static String error(String message) {
    ObjectNode e = Json.MAPPER.createObjectNode();
    e.putObject("error").put("message", message).put("type", "invalid_request_error").putNull("code");
    return e.toString();
  }

  private static void send(HttpExchange ex, int status, String body, Map<String, String> headers) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
