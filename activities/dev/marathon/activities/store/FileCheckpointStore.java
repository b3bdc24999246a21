package dev.marathon.activities.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The {@link CheckpointStore} on a local (or shared-volume) directory, and the default: every
 * worker of a run must open the same directory.
 *
 * <p>Writes go to a temp file that is fsynced and then renamed into place: a crash (even of the
 * machine) never leaves a half object under a real name, and every read re-checks the hash, so a
 * damaged file is reported, never trusted. Two writers racing on the same content both succeed:
 * the second rename finds the object there, and it is the same bytes.
 *
 * <p>Layout: {@code <dir>/objects/<first 2 hex>/<remaining 62 hex>}, {@code <dir>/names/<SHA-256
 * of the name>} (a name's ref, put in place by a hard link, which never replaces a file),
 * {@code <dir>/tmp/}.
 */
public final class FileCheckpointStore implements CheckpointStore {
  private final Path objects;
  private final Path names;
  private final Path tmp;

  private FileCheckpointStore(Path dir) {
    this.objects = dir.resolve("objects");
    this.names = dir.resolve("names");
    this.tmp = dir.resolve("tmp");
  }

  /** Opens (creating if needed) the store under {@code dir}. */
  public static FileCheckpointStore open(Path dir) {
    FileCheckpointStore store = new FileCheckpointStore(dir.toAbsolutePath());
    try {
      Files.createDirectories(store.objects);
      Files.createDirectories(store.names);
      Files.createDirectories(store.tmp);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create checkpoint store at " + dir + ": " + e.getMessage(), e);
    }
    return store;
  }

  @Override
  public String put(byte[] content) {
    String ref = CheckpointStore.hash(content);
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

  @Override
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
    if (!CheckpointStore.hash(content).equals(ref)) throw new CorruptObjectException(ref, path(ref));
    return content;
  }

  @Override
  public boolean contains(String ref) {
    return CheckpointStore.isRef(ref) && Files.exists(path(ref));
  }

  @Override
  public String bind(String name, String ref) {
    checkName(name);
    checkRef(ref);
    Path target = names.resolve(CheckpointStore.hash(name.getBytes(StandardCharsets.US_ASCII)));
    if (Files.exists(target)) return bound(name);
    Path temp = tmp.resolve("name." + UUID.randomUUID() + ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap(ref.getBytes(StandardCharsets.US_ASCII)));
        ch.force(true);
      }
      try {
        Files.createLink(target, temp); // fails, never replaces, when the name is bound already
        syncDirectory(names);
      } catch (FileAlreadyExistsException raced) {
        // bound by another writer first: theirs stands
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind name " + name + " in the checkpoint store: " + e.getMessage(), e);
    }
    return bound(name);
  }

  @Override
  public String bound(String name) {
    checkName(name);
    try {
      String ref = Files.readString(names.resolve(CheckpointStore.hash(name.getBytes(StandardCharsets.US_ASCII))), StandardCharsets.US_ASCII);
      if (!CheckpointStore.isRef(ref)) throw new CorruptObjectException("named " + name, "its file in " + names);
      return ref;
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read name " + name + " in the checkpoint store: " + e.getMessage(), e);
    }
  }

  private static void checkName(String name) {
    String problem = CheckpointStore.nameProblem(name);
    if (problem != null) throw new IllegalArgumentException(problem);
  }

  /** Re-hashes every file; an unreadable one counts as corrupt. */
  @Override
  public List<String> verify() {
    List<String> bad = new ArrayList<>();
    for (Path p : objectFiles()) {
      String ref = p.getParent().getFileName().toString() + p.getFileName();
      try {
        if (!CheckpointStore.hash(Files.readAllBytes(p)).equals(ref)) bad.add(ref);
      } catch (IOException e) {
        bad.add(ref);
      }
    }
    return bad;
  }

  /**
   * Number of objects and their total bytes, for benchmarks and tests of growth. Not part of
   * {@link CheckpointStore}: nothing in the runtime (no status, no gc) asks a store for it.
   */
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

  private static void checkRef(String ref) {
    if (!CheckpointStore.isRef(ref)) throw new IllegalArgumentException("not a checkpoint ref: " + ref);
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
