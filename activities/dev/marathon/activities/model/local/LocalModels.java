package dev.marathon.activities.model.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local model on this machine, started on first use: a run on the {@code local} preset asks
 * for its address, and when nothing answers there this process serves it (installing the weights
 * the first time). So {@code ./marathon run} with no model configured works on a fresh machine, and
 * every worker can carry such runs; {@code ./marathon model serve} runs it on its own.
 */
public final class LocalModels implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalModels.class);
  private final Path modelsDir;
  private final Map<Integer, LocalModelServer> serving = new HashMap<>();

  public LocalModels(Path modelsDir) {
    this.modelsDir = modelsDir;
  }

  /**
   * Makes sure something serves the local model at {@code baseUrl} (a loopback address); {@code
   * progress} hears about a first-time install of the weights (and can heartbeat).
   */
  public synchronized void ensureServing(String baseUrl, java.util.function.Consumer<String> progress) {
    URI uri = URI.create(baseUrl);
    if (serving.containsKey(uri.getPort()) || answers(baseUrl)) return;
    try {
      serving.put(uri.getPort(), LocalModelServer.start(uri.getPort(), modelsDir, line -> {
        log.info("[local model] {}", line);
        progress.accept(line);
      }));
    } catch (IOException e) {
      if (answers(baseUrl)) return; // another process started it meanwhile
      throw new UncheckedIOException("cannot serve the local model at " + baseUrl + ": " + e.getMessage(), e);
    }
  }

  static boolean answers(String baseUrl) {
    try {
      HttpResponse<Void> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(baseUrl + "/models"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (IOException notThere) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public synchronized void close() {
    serving.values().forEach(LocalModelServer::close);
    serving.clear();
  }
}
