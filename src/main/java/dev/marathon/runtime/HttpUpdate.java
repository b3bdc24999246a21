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
 * need not start gRPC. The caller chooses the update's id: when the answer is not an outcome (no
 * answer, a timeout, an error), it sends the same update over gRPC under the same id, and the
 * server applies one id once per run, so a request that did reach it is not applied twice.
 */
public final class HttpUpdate {
  /**
   * @param value the update's result, when it was applied
   * @param refusal why the run refused it (its validator's message), else null
   */
  public record Outcome(JsonNode value, String refusal) {}

  private HttpUpdate() {}

  /** Sends update {@code name} with one argument and waits up to {@code wait} for its outcome. */
  public static Optional<Outcome> send(ServerHttpApi api, String namespace, String workflowId, String name, String updateId, Object arg,
      Duration wait) {
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
    String path = "/api/v1/namespaces/" + ServerHttpApi.encoded(namespace) + "/workflows/" + ServerHttpApi.encoded(workflowId)
        + "/update/" + ServerHttpApi.encoded(name);
    return api.post(path, body, wait).flatMap(answer -> {
      JsonNode outcome = answer.path("outcome");
      if (outcome.has("success")) return Optional.of(new Outcome(ServerHttpApi.first(outcome.get("success")), null));
      if (outcome.has("failure")) return Optional.of(new Outcome(null, rootMessage(outcome.get("failure"))));
      return Optional.empty(); // admitted or accepted, not completed within the wait
    });
  }

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
