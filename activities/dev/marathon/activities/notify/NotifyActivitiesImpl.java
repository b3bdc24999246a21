package dev.marathon.activities.notify;

import dev.marathon.activities.sandbox.CommandEnvironment;
import dev.marathon.workflows.Text;
import dev.marathon.workflows.api.Notification;
import dev.marathon.workflows.api.NotifyActivities;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Delivers a run's event where {@link NotifyEndpoints} says. An endpoint that is down, slow, or
 * answers 408, 429 or 5xx fails the attempt, and Temporal retries it; one that answers another
 * error, or that the worker refuses, fails for good (the run's details say so). Redirects are not
 * followed, and messages name a URL by its host only.
 */
public final class NotifyActivitiesImpl implements NotifyActivities {
  static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final String FAILED = "NotificationFailed";
  private static final List<String> DESKTOP = List.of("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR");

  private final NotifyEndpoints endpoints;
  private final String uiBase;
  /** Made at the first notification: the JDK's first HTTP client costs a worker ~0.2 s to start (TLS set-up). */
  private HttpClient http;

  /** @param uiBase the Web UI of the server this worker polls (its link goes in every event), or null */
  public NotifyActivitiesImpl(NotifyEndpoints endpoints, String uiBase) {
    this.endpoints = endpoints;
    this.uiBase = uiBase;
  }

  @Override
  public void deliver(Notification n) {
    NotifyEndpoints.Endpoint endpoint;
    try {
      endpoint = endpoints.resolve(n, Activity.getExecutionContext().getInfo().getWorkflowId());
    } catch (IllegalArgumentException refused) {
      throw ApplicationFailure.newNonRetryableFailure(refused.getMessage(), REFUSED);
    }
    String body = NotificationPayloads.render(n, endpoint.format(), webUi(n.runId()));
    if (endpoint instanceof NotifyEndpoints.Post post) post(post, body);
    else run((NotifyEndpoints.Command) endpoint, n, body);
  }

  private synchronized HttpClient http() {
    if (http == null) {
      http = HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER)
          .proxy(HttpClient.Builder.NO_PROXY).build();
    }
    return http;
  }

  private String webUi(String runId) {
    if (uiBase == null) return null;
    return uiBase + "/namespaces/" + enc(Activity.getExecutionContext().getInfo().getNamespace()) + "/workflows/" + enc(runId);
  }

  private void post(NotifyEndpoints.Post post, String body) {
    URI uri;
    try {
      uri = URI.create(post.url());
    } catch (IllegalArgumentException e) {
      throw ApplicationFailure.newNonRetryableFailure(post.display() + " is not a URL this worker can post to", REFUSED);
    }
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
        .header("Content-Type", "application/json").header("User-Agent", "Marathon")
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
    HttpResponse<Void> response;
    try {
      response = http().send(request, HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      throw ApplicationFailure.newFailure("could not reach " + post.display() + ": " + e.getClass().getSimpleName(), FAILED);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailure("interrupted while posting to " + post.display(), FAILED);
    }
    int status = response.statusCode();
    if (status / 100 == 2) return;
    // Not its body: a run's input chose where this goes, and what a service answers is not for it to read back.
    String message = post.display() + " answered HTTP " + status;
    if (status == 408 || status == 429 || status >= 500) throw ApplicationFailure.newFailure(message, FAILED);
    throw ApplicationFailure.newNonRetryableFailure(message + " (not retried: it would answer the same)", FAILED);
  }

  /** The operator's command, with the event on its standard input; no shell, no key in its environment. */
  private void run(NotifyEndpoints.Command command, Notification n, String body) {
    Path errors;
    try {
      errors = java.nio.file.Files.createTempFile("marathon-notify", ".err");
    } catch (IOException e) {
      throw ApplicationFailure.newFailure("could not run notification command: " + e.getMessage(), FAILED);
    }
    ProcessBuilder pb = new ProcessBuilder(command.argv()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(errors.toFile()).directory(Path.of(System.getProperty("user.home")).toFile());
    Map<String, String> env = pb.environment();
    // The operator's own command: the allow-list, and what a desktop notification needs (notify-send), never a key.
    Map<String, String> clean = CommandEnvironment.of(System.getenv(), DESKTOP, java.util.Set.of(), System.getProperty("user.home"),
        Map.of("MARATHON_EVENT", n.event(), "MARATHON_RUN_ID", n.runId()));
    env.clear();
    env.putAll(clean);
    String name = command.argv().get(0);
    try {
      Process p = pb.start();
      try (OutputStream in = p.getOutputStream()) {
        in.write(body.getBytes(StandardCharsets.UTF_8));
      } catch (IOException closedEarly) {
        // the command need not read its input
      }
      if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw ApplicationFailure.newFailure("notification command " + name + " did not end within " + TIMEOUT.toSeconds() + " s", FAILED);
      }
      if (p.exitValue() != 0) {
        String err = new String(java.nio.file.Files.readAllBytes(errors), StandardCharsets.UTF_8);
        throw ApplicationFailure.newFailure("notification command " + name + " exited " + p.exitValue()
            + (err.isBlank() ? "" : ": " + Text.oneLine(err, 300)), FAILED);
      }
    } catch (IOException e) {
      throw ApplicationFailure.newFailure("could not start notification command " + name + ": " + e.getMessage(), FAILED);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailure("interrupted while running notification command " + name, FAILED);
    } finally {
      errors.toFile().delete();
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
