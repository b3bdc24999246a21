package dev.marathon.activities.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Content-addressed, immutable, append-only storage for everything too large for Temporal
 * history: conversation checkpoints, tool outputs, tool-call arguments.
 *
 * <p>An object's ref is the SHA-256 of its bytes, so equal content is stored once and a ref
 * names exactly one content forever. Writes go to a temp file that is fsynced and then renamed
 * into place: a crash (even of the machine) never leaves a half object under a real name, and
 * every read re-checks the hash, so a damaged file is reported, never trusted.
 *
 * <p>Layout: {@code <dir>/objects/<first 2 hex>/<remaining 62 hex>}, {@code <dir>/tmp/}.
 */
public final class CheckpointStore {
  private final Path objects;
  private final Path tmp;

  private CheckpointStore(Path dir) {
    this.objects = dir.resolve("objects");
    this.tmp = dir.resolve("tmp");
  }

  /** Opens (creating if needed) the store under {@code dir}. */
  public static CheckpointStore open(Path dir) {
    CheckpointStore store = new CheckpointStore(dir.toAbsolutePath());
    try {
      Files.createDirectories(store.objects);
      Files.createDirectories(store.tmp);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create checkpoint store at " + dir + ": " + e.getMessage(), e);
    }
    return store;
  }

  /** Stores {@code content} and returns its ref; storing the same content again is free. */
  public String put(byte[] content) {
    String ref = hash(content);
    Path target = path(ref);
    if (Files.exists(target)) return ref;
    Path temp = tmp.resolve(ref + "." + UUID.randomUUID() + ".tmp");
    try {
      Files.createDirectories(target.getParent());
      try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) ch.write(buf);
        ch.force(true);
      }
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException raced) {
        // Another writer stored the same content first; content addressing makes that fine.
        Files.deleteIfExists(temp);
      }
      syncDirectory(target.getParent());
      return ref;
    } catch (IOException e) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException ignored) {
        // the temp file is garbage either way; it is never read
      }
      throw new UncheckedIOException("cannot write object " + ref + " to the checkpoint store: " + e.getMessage(), e);
    }
  }

  public String putText(String text) {
    return put(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Reads an object, verifying its hash.
   *
   * @throws MissingObjectException when no object has that ref
   * @throws CorruptObjectException when the file's content does not match its ref
   */
  public byte[] get(String ref) {
    checkRef(ref);
    byte[] content;
    try {
      content = Files.readAllBytes(path(ref));
    } catch (NoSuchFileException e) {
      throw new MissingObjectException(ref);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read object " + ref + ": " + e.getMessage(), e);
    }
    if (!hash(content).equals(ref)) throw new CorruptObjectException(ref, path(ref));
    return content;
  }

  public String getText(String ref) {
    return new String(get(ref), StandardCharsets.UTF_8);
  }

  public boolean contains(String ref) {
    return isRef(ref) && Files.exists(path(ref));
  }

  /** Re-hashes every object; returns the refs whose content does not match (empty when healthy). */
  public List<String> verify() {
    List<String> bad = new ArrayList<>();
    for (Path p : objectFiles()) {
      String ref = p.getParent().getFileName().toString() + p.getFileName();
      try {
        if (!hash(Files.readAllBytes(p)).equals(ref)) bad.add(ref);
      } catch (IOException e) {
        bad.add(ref);
      }
    }
    return bad;
  }

  /** Number of objects and their total bytes, for benchmarks and tests of growth. */
  public Stats stats() {
    long count = 0;
    long bytes = 0;
    for (Path p : objectFiles()) {
      count++;
      try {
        bytes += Files.size(p);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new Stats(count, bytes);
  }

  public record Stats(long objects, long bytes) {}

  private List<Path> objectFiles() {
    try (Stream<Path> files = Files.walk(objects)) {
      return files.filter(Files::isRegularFile).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path path(String ref) {
    return objects.resolve(ref.substring(0, 2)).resolve(ref.substring(2));
  }

  public static boolean isRef(String ref) {
    return ref != null && ref.length() == 64 && ref.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }

  private static void checkRef(String ref) {
    if (!isRef(ref)) throw new IllegalArgumentException("not a checkpoint ref: " + ref);
  }

  public static String hash(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static void syncDirectory(Path dir) {
    // Makes the rename itself durable; best effort where the platform cannot open directories.
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException ignored) {
      // not supported here: the data is still fsynced and the rename atomic
    }
  }
}
