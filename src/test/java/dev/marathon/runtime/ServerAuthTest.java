package dev.marathon.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Temporal CLI's TLS and API-key variables, read the same way by Marathon's CLI and workers. */
class ServerAuthTest {
  @TempDir Path tmp;

  @Test
  void mutualTlsAnApiKeyOrNothing() throws Exception {
    Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", tmp.resolve("key.pem").toString(),
        "-out", tmp.resolve("cert.pem").toString(), "-days", "1", "-subj", "/CN=marathon-test").redirectErrorStream(true).start();
    assertEquals(0, openssl.waitFor(), new String(openssl.getInputStream().readAllBytes()));
    String cert = tmp.resolve("cert.pem").toString();
    String key = tmp.resolve("key.pem").toString();

    assertNull(build(Map.of()).getSslContext(), "the dev server: no TLS unless asked");
    WorkflowServiceStubsOptions mtls = build(Map.of("TEMPORAL_TLS_CERT", cert, "TEMPORAL_TLS_KEY", key, "TEMPORAL_TLS_CA", cert));
    assertNotNull(mtls.getSslContext());
    assertTrue(mtls.getSslContext().isClient());
    WorkflowServiceStubsOptions apiKey = build(Map.of("TEMPORAL_API_KEY", "tk-123"));
    assertNotNull(apiKey.getSslContext(), "an API key goes over TLS");
    assertEquals(1, apiKey.getGrpcMetadataProviders().size(), "the key is sent with every call");

    IllegalArgumentException half = assertThrows(IllegalArgumentException.class, () -> build(Map.of("TEMPORAL_TLS_CERT", cert)));
    assertTrue(half.getMessage().contains("TEMPORAL_TLS_KEY"), half.getMessage());
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> build(Map.of("TEMPORAL_TLS_CERT", "/no/cert.pem", "TEMPORAL_TLS_KEY", key)));
    assertTrue(missing.getMessage().contains("TEMPORAL_TLS") && missing.getMessage().contains("/no/cert.pem"), missing.getMessage());
  }

  private static WorkflowServiceStubsOptions build(Map<String, String> env) {
    return ServerAuth.apply(WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:7233"), env).build();
  }
}
