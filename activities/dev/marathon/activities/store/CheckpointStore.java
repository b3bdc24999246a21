package dev.marathon.activities.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Content-addressed, immutable, append-only storage for everything too large for Temporal
 * history: conversation checkpoints, tool outputs, tool-call arguments.
 *
 * <p>An object's ref is the SHA-256 of its bytes ({@link #hash}), so equal content is stored once
 * and a ref names exactly one content forever. That is what makes a put idempotent and safe to
 * retry from any worker: a retried activity, or two workers storing the same tool output, write
 * the same object under the same ref, and nobody has to coordinate.
 *
 * <p>This interface is the contract a backend must satisfy, not just the shape of today's one:
 * {@link FileCheckpointStore} (a directory, the default) and a shared store for runs that move
 * between machines (e.g. PostgreSQL) alike. {@code CheckpointStoreContract} in the tests is
 * that contract made executable; a new backend passes it before anything uses it. In short:
 * <ul>
 *   <li>{@link #put} returns {@link #hash} of the content, and storing content that is already
 *       there stores nothing new, also when several threads or workers race on it;
 *   <li>{@link #get} returns exactly the bytes that were put, re-checking the hash on every read:
 *       an object that no longer hashes to its ref is reported ({@link CorruptObjectException}),
 *       never returned;
 *   <li>an object is never changed or removed once put;
 *   <li>a name ({@link #bind}) is bound to one ref once, by whoever binds it first, and forever:
 *       what lets a worker find an object by something it knows (a snapshot's commit id) rather
 *       than by its hash, without anyone coordinating.
 * </ul>
 *
 * <p>The addressing ({@link #isRef}, {@link #hash}) is static here because every backend shares
 * it: refs live in workflow state and must mean the same content whichever store holds it.
 */
public interface CheckpointStore extends AutoCloseable {

  /** Lets go of what the store holds open (a database's connections); the directory store holds nothing. */
  @Override
  default void close() {}

  /** Opens (creating if needed) the default store, a {@link FileCheckpointStore} under {@code dir}. */
  static CheckpointStore open(Path dir) {
    return FileCheckpointStore.open(dir);
  }

  /**
   * Opens the store {@code location} names: a {@code postgresql://} URL (the shared store, {@link
   * PostgresCheckpointStore}) or a directory (the default).
   */
  static CheckpointStore at(String location) {
    return PostgresLocation.isUrl(location) ? PostgresCheckpointStore.open(PostgresLocation.parse(location)) : open(Path.of(location));
  }

  /**
   * Stores {@code content} and returns its ref, {@link #hash}{@code (content)}. Storing content
   * that is already there is free and returns the same ref; concurrent puts of the same content
   * all succeed and leave one object. Once this returns, the object is durable.
   */
  String put(byte[] content);

  /** {@link #put} of the text's UTF-8 bytes. */
  default String putText(String text) {
    return put(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Reads an object, verifying its hash.
   *
   * @throws IllegalArgumentException when {@code ref} is not a ref ({@link #isRef})
   * @throws MissingObjectException when no object has that ref
   * @throws CorruptObjectException when the stored content does not hash to its ref
   */
  byte[] get(String ref);

  /** {@link #get} decoded as UTF-8. */
  default String getText(String ref) {
    return new String(get(ref), StandardCharsets.UTF_8);
  }

  /** Whether an object with that ref is stored; false for anything that is not a ref. Does not verify it. */
  boolean contains(String ref);

  /**
   * Binds {@code name} to {@code ref} unless it is bound already, and returns the ref it is bound
   * to: the first binding wins, also when workers race, and is never changed. A retry binding the
   * same name to the same ref is free. Names are printable ASCII without spaces, at most {@link
   * #MAX_NAME} characters ({@link #nameProblem}).
   */
  String bind(String name, String ref);

  /** The ref {@code name} is bound to, or null when it is not bound. */
  String bound(String name);

  /**
   * Whether other machines read and write this store too: a run's workspace snapshots then travel
   * through it, so another worker can take the run over. False for a local directory, where
   * shipping them would cost every step and help no one.
   */
  default boolean shared() {
    return false;
  }

  /** The longest name {@link #bind} takes. */
  int MAX_NAME = 200;

  /** Null when {@code name} may be bound, else why not. */
  static String nameProblem(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_NAME || !name.chars().allMatch(c -> c > ' ' && c < 127)) {
      return "a store name must be 1-" + MAX_NAME + " printable ASCII characters without spaces: " + name;
    }
    return null;
  }

  /** Re-hashes every object; returns the refs whose content does not match (empty when healthy). */
  List<String> verify();

  /** Whether {@code ref} is well-formed: 64 lowercase hex digits. */
  static boolean isRef(String ref) {
    return ref != null && ref.length() == 64 && ref.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }

  /** The ref of {@code content}: its SHA-256 in lowercase hex. */
  static String hash(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
