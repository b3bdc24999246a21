package dev.marathon.activities.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The window a server says it gives, asked over a real socket once per server and model. */
class ContextWindowsTest {
  @Test
  void aServersModelsAnswerGivesTheWindowOnceAndASilentOneGivesNone() throws Exception {
    try (KeptConnectionsTest.Server server = KeptConnectionsTest.plain((n, head, out) -> {
      String body = head.get("").startsWith("GET /v1/models ") ? "{\"data\":[{\"id\":\"m\",\"meta\":{\"n_ctx\":4096}}]}" : "{}";
      KeptConnectionsTest.write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
      return true;
    })) {
      ContextWindows windows = new ContextWindows();
      String base = "http://127.0.0.1:" + server.socket.getLocalPort() + "/v1";
      assertEquals(4096L, windows.of(base, "m"));
      assertEquals(4096L, windows.of(base + "/", "m"));
      assertEquals(2, server.heads.size(), "asked once per base URL and model");
      assertFalse(server.heads.get(0).containsKey("content-length"), "a GET carries no body");
      assertNull(windows.of("http://127.0.0.1:1/v1", "m"), "nobody there: the preset's window stands");
    }
  }
}
