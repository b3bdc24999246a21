package dev.marathon.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.marathon.activities.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * A workflow update sent over the server's HTTP API ({@link ServerHttpApi}), so {@code steer}
 * need not start gRPC. The caller chooses the update's id. Only when the request certainly did not
 * apply (it never reached the server, or the server turned it away) may the caller send it
 * over gRPC instead, under the same id; a request that went out and got no answer is
 * {@link Result.Unknown}: it may have been applied, and is not sent again.
 */
public final class HttpUpdate {
  /** How an update sent this way ended. */
  public sealed interface Result {
    /** The run applied it; {@code value} is the update's result. */
    record Applied(JsonNode value) implements Result {}

    /** The run's validator refused it. */
    record Refused(String message) implements Result {}

    /** It did not apply: nothing reached the server, or the server turned it away. Safe to send another way. */
    record NotApplied() implements Result {}

    /** It went out and no outcome came back: it may or may not have been applied. */
    record Unknown() implements Result {}
  }

  private HttpUpdate() {}

  /** Sends update {@code name} with one argument, waiting up to {@code wait} for its outcome. */
  public static Result send(ServerHttpApi api, String namespace, String workflowId, String name, String updateId, Object arg,
      Duration wait) {
    Optional<String> run = ServerHttpApi.workflowPath(namespace, workflowId);
    if (run.isEmpty() || !name.matches("[a-z]+")) return new Result.NotApplied();
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.putObject("waitPolicy").put("lifecycleStage", "UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED");
    ObjectNode request = body.putObject("request");
    request.putObject("meta").put("updateId", updateId).put("identity", "marathon-cli");
    ObjectNode input = request.putObject("input").put("name", name);
    ObjectNode payload = input.putObject("args").putArray("payloads").addObject();
    payload.putObject("metadata").put("encoding", base64("json/plain".getBytes(StandardCharsets.UTF_8)));
    try {
      payload.put("data", base64(DataConverters.mapper().writeValueAsBytes(arg))); // as the Java SDK's converter encodes it
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot encode the " + name + " update's argument: " + e.getOriginalMessage(), e);
    }
    ServerHttpApi.Answer answer = api.post(run.get() + "/update/" + name, body, wait);
    if (answer.status() == ServerHttpApi.Answer.NOT_SENT) return new Result.NotApplied();
    if (answer.status() != 200 && answer.body() != null && answer.body().path("code").isInt()
        && REJECTED_BEFORE_APPLYING.contains(answer.body().path("code").asInt())) {
      return new Result.NotApplied();
    }
    JsonNode outcome = answer.ok().map(b -> b.path("outcome")).orElse(null);
    if (outcome != null && outcome.has("success")) return new Result.Applied(ServerHttpApi.first(outcome.get("success")));
    if (outcome != null && outcome.has("failure")) {
      String message = rootMessage(outcome.get("failure"));
      return new Result.Refused(message == null ? "refused by the run" : message);
    }
    return new Result.Unknown();
  }

  /**
   * The gRPC status codes (as the HTTP API's error body carries them) of a request the server
   * turned away before the run saw it: invalid, no such run or closed (NOT_FOUND), closing for
   * continue-as-new or over a limit (RESOURCE_EXHAUSTED, FAILED_PRECONDITION), refused access.
   * CANCELLED, UNKNOWN, DEADLINE_EXCEEDED, ABORTED, INTERNAL and UNAVAILABLE may come after it applied.
   */
  private static final java.util.Set<Integer> REJECTED_BEFORE_APPLYING = java.util.Set.of(3, 5, 6, 7, 8, 9, 12, 16);

  /** The innermost message of a failure and its causes, as {@code RunFollower.rootMessage} reads a gRPC one. */
  static String rootMessage(JsonNode failure) {
    String message = null;
    for (JsonNode f = failure; f != null && f.isObject(); f = f.get("cause")) {
      if (f.hasNonNull("message") && !f.get("message").asText().isEmpty()) message = f.get("message").asText();
    }
    return message;
  }

  private static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }
}
