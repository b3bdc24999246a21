package dev.marathon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import dev.marathon.runtime.MarathonHome;
import dev.marathon.runtime.ServerHttpApi;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What list does with answers the real server would not give. */
class ListOverHttpTest {
  @TempDir Path home;

  private Optional<Integer> rows(String body, AtomicInteger asked) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/api/v1/namespaces/default/workflows", exchange -> {
      asked.incrementAndGet();
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.start();
    try {
      ServerHttpApi.record(new MarathonHome(home), 7233, server.getAddress().getPort(), ProcessHandle.current());
      ServerHttpApi api = ServerHttpApi.beside("127.0.0.1:7233", new MarathonHome(home), Map.of()).orElseThrow();
      return ListCommand.overHttp(api, "default", "WorkflowType = 'AgentWorkflow'", 50).map(a -> a.size());
    } finally {
      server.stop(0);
    }
  }

  @Test
  void pagesWithoutEndOrTheSameTokenAgainEndTheListing() throws Exception {
    AtomicInteger asked = new AtomicInteger();
    assertEquals(Optional.of(0), rows("{\"executions\":[],\"nextPageToken\":\"AA==\"}", asked));
    assertEquals(1, asked.get(), "a page that adds nothing ends it");
  }

  @Test
  void anAnswerThatDoesNotReadAsTheApisIsNoAnswer() throws Exception {
    assertEquals(Optional.empty(), rows("{\"executions\":[{}]}", new AtomicInteger()), "then gRPC is asked");
    assertEquals(Optional.empty(), rows("{\"executions\":[{\"status\":\"WORKFLOW_EXECUTION_STATUS_RUNNING\",\"startTime\":\"yesterday\"}]}",
        new AtomicInteger()));
  }
}
