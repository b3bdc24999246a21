package dev.marathon.runtime;

import io.temporal.serviceclient.SimpleSslContextBuilder;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Map;
import javax.net.ssl.TrustManagerFactory;

/**
 * How the CLI and workers prove themselves to a Temporal server that asks: TLS, mutual TLS, an API
 * key — from the Temporal CLI's own variables, so one environment serves both. The dev server has
 * no authentication, and a shared deployment should not run without it: anyone who can start a
 * run there chooses its task (workers still enforce their own policy on its containment and keys).
 *
 * <p>{@code TEMPORAL_TLS_CERT} and {@code TEMPORAL_TLS_KEY} (PEM, PKCS#8): mutual TLS;
 * {@code TEMPORAL_TLS_CA}: the server's CA instead of the system's; {@code TEMPORAL_TLS=true}: TLS
 * without a client certificate; {@code TEMPORAL_API_KEY}: sent as a bearer token (over TLS).
 */
final class ServerAuth {
  private ServerAuth() {}

  /** Whether {@code env} asks for TLS or credentials. */
  static boolean configured(Map<String, String> env) {
    return java.util.stream.Stream.of("TEMPORAL_TLS", "TEMPORAL_TLS_CERT", "TEMPORAL_TLS_KEY", "TEMPORAL_TLS_CA", "TEMPORAL_API_KEY")
        .anyMatch(env::containsKey);
  }

  /** {@code builder} with what {@code env} asks for; a file that cannot be read is a clear error. */
  static WorkflowServiceStubsOptions.Builder apply(WorkflowServiceStubsOptions.Builder builder, Map<String, String> env) {
    String cert = env.get("TEMPORAL_TLS_CERT");
    String key = env.get("TEMPORAL_TLS_KEY");
    String ca = env.get("TEMPORAL_TLS_CA");
    String apiKey = env.get("TEMPORAL_API_KEY");
    boolean tls = "true".equalsIgnoreCase(env.get("TEMPORAL_TLS")) || cert != null || ca != null || apiKey != null;
    if ((cert == null) != (key == null)) throw new IllegalArgumentException("TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together");
    if (!tls) return builder;
    try {
      SimpleSslContextBuilder ssl;
      if (cert != null) {
        // read now: the builder reads its streams only in build()
        ssl = SimpleSslContextBuilder.forPKCS8(new java.io.ByteArrayInputStream(Files.readAllBytes(Path.of(cert))),
            new java.io.ByteArrayInputStream(Files.readAllBytes(Path.of(key))));
      } else {
        ssl = SimpleSslContextBuilder.noKeyOrCertChain();
      }
      if (ca != null) ssl.setTrustManager(trusting(Path.of(ca)).getTrustManagers()[0]);
      builder.setSslContext(ssl.build());
    } catch (IOException | java.security.GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot set up TLS to the Temporal server from TEMPORAL_TLS_*: " + e.getMessage(), e);
    }
    if (apiKey != null) builder.addApiKey(() -> apiKey);
    return builder;
  }

  private static TrustManagerFactory trusting(Path ca) throws IOException, java.security.GeneralSecurityException {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    try (InputStream in = Files.newInputStream(ca)) {
      int i = 0;
      for (java.security.cert.Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) store.setCertificateEntry("ca" + i++, c);
    }
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    return factory;
  }
}
