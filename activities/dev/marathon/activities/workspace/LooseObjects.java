package dev.marathon.activities.workspace;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;

/**
 * Writes objects (commits, and the trees and files of a step's snapshot: {@link ChangedTree}) and
 * a ref into Marathon's own (SHA-1, bare) snapshot repository, and reads its loose trees, without
 * starting git: a snapshot is made after every step that changes the workspace, and a process
 * start costs milliseconds where writing a few hundred bytes costs microseconds. Both are written
 * the way git writes them (a loose object is the zlib-deflated "commit &lt;size&gt;\0" + content,
 * named by its SHA-1; a ref is written beside itself and renamed over). Objects are fsynced: the
 * workflow records the snapshot only after this returns, so it must be on disk when it does. The
 * ref is not: nothing of Marathon reads it (the workflow names each snapshot by its id), it only
 * keeps the snapshots reachable for a git gc, and a ref a crash set back is set forward again by the
 * next snapshot, whose parents reach every one before it. One fsync fewer per snapshot.
 */
final class LooseObjects {
  /** Threads that fsync a batch's objects side by side; they wait on the disk, not the CPU. */
  private static final java.util.concurrent.ExecutorService FSYNCS = fsyncThreads();
  private final Path gitDir;
  /** Objects of the batch being written ({@link #defer}): each one's name and the file it waits in; null when none is. */
  private java.util.Map<Path, Path> deferred;

  LooseObjects(Path gitDir) {
    this.gitDir = gitDir;
  }

  /** Stores a commit with the given (complete) content; returns its id. Idempotent. */
  String writeCommit(String content) {
    return write("commit", content.getBytes(StandardCharsets.UTF_8));
  }

  /** Stores a file's content; returns its id. Idempotent. */
  String writeBlob(byte[] content) {
    return write("blob", content);
  }

  /** Stores a tree in git's format (mode, space, name, NUL, 20-byte id; sorted as git sorts); returns its id. Idempotent. */
  String writeTree(byte[] content) {
    return write("tree", content);
  }

  /**
   * The content of tree {@code id} when it is a loose object of this repository, else null (it is
   * packed, or only in the user's objects: the caller asks git).
   */
  byte[] readTree(String id) {
    Path file = objectFile(id);
    byte[] deflated;
    try {
      deflated = Files.readAllBytes(file);
    } catch (java.nio.file.NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new WorkspaceException("cannot read " + file + ": " + e.getMessage(), false);
    }
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(deflated);
      ByteArrayOutputStream out = new ByteArrayOutputStream(deflated.length * 3);
      byte[] buf = new byte[8192];
      while (!inflater.finished()) {
        int n = inflater.inflate(buf);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) return null; // truncated: not ours to trust
        out.write(buf, 0, n);
      }
      byte[] object = out.toByteArray();
      int nul = 0;
      while (nul < object.length && object[nul] != 0) nul++;
      String header = new String(object, 0, nul, StandardCharsets.US_ASCII);
      if (!header.equals("tree " + (object.length - nul - 1))) return null;
      return java.util.Arrays.copyOfRange(object, nul + 1, object.length);
    } catch (java.util.zip.DataFormatException e) {
      return null;
    } finally {
      inflater.end();
    }
  }

  /**
   * Writes a loose object as git does (zlib of "type size\0" + content, named by its SHA-1),
   * durably: a crash mid-write never leaves half of one under its name. Fsynced unlike git's loose
   * objects: the snapshot commit that names them is, and the run's record is only as good as what
   * it names. Call with the workspace's lease (one writer).
   */
  private String write(String type, byte[] body) {
    byte[] header = (type + " " + body.length + "\0").getBytes(StandardCharsets.US_ASCII);
    String id = sha1(header, body);
    Path file = objectFile(id);
    if (Files.exists(file) || deferred != null && deferred.containsKey(file)) return id;
    ByteArrayOutputStream deflated = new ByteArrayOutputStream(body.length / 2 + 64);
    Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    try (DeflaterOutputStream z = new DeflaterOutputStream(deflated, deflater)) {
      z.write(header);
      z.write(body);
    } catch (IOException e) {
      throw new WorkspaceException("cannot compress a snapshot object: " + e.getMessage(), false);
    } finally {
      deflater.end();
    }
    if (deferred == null) {
      Workspace.writeDurably(file, deflated.toByteArray());
    } else {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      try {
        Files.createDirectories(file.getParent());
        Files.write(tmp, deflated.toByteArray());
      } catch (IOException e) {
        throw new WorkspaceException("cannot write " + tmp + ": " + e.getMessage(), false);
      }
      deferred.put(file, tmp);
    }
    return id;
  }

  /**
   * From now until {@link #settle}, objects are written but neither fsynced nor named: settle
   * then fsyncs them all at once, in parallel, and names them. A file system commits parallel
   * fsyncs together: a step's blob and trees cost about one fsync instead of one each (4 in 0.65–0.87
   * ms against 1.3–1.6 ms one after the other, measured here). Until it is settled no object of the
   * batch has its name, so none can be found, and named by a commit, before it is on disk.
   */
  void defer() {
    if (deferred == null) deferred = new java.util.LinkedHashMap<>();
  }

  /** At most four, kept a minute after their last fsync: a step of a thousand files queues its fsyncs, it does not start a thread for each. */
  private static java.util.concurrent.ExecutorService fsyncThreads() {
    java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(4, 4, 60, java.util.concurrent.TimeUnit.SECONDS,
        new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "marathon-fsync");
          t.setDaemon(true);
          return t;
        });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /** Forgets the objects written since {@link #defer}, named by nothing yet (an edit that gave up): their files are deleted. */
  void abandon() {
    java.util.Map<Path, Path> batch = deferred;
    deferred = null;
    if (batch != null) deleteAll(batch.values());
  }

  private static void deleteAll(java.util.Collection<Path> tmps) {
    for (Path tmp : tmps) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // a leftover .tmp names no object: git never reads it
      }
    }
  }

  /** Makes the objects written since {@link #defer} durable and names them; their files are gone if it fails. */
  void settle() {
    java.util.Map<Path, Path> batch = deferred;
    deferred = null;
    if (batch == null || batch.isEmpty()) return;
    boolean named = false;
    try {
      List<java.util.concurrent.Future<?>> syncs = new java.util.ArrayList<>();
      List<Path> tmps = List.copyOf(batch.values());
      for (int i = 1; i < tmps.size(); i++) {
        Path tmp = tmps.get(i);
        syncs.add(FSYNCS.submit(() -> {
          force(tmp);
          return null;
        }));
      }
      force(tmps.get(0));
      for (java.util.concurrent.Future<?> f : syncs) f.get();
      for (java.util.Map.Entry<Path, Path> e : batch.entrySet()) {
        Files.move(e.getValue(), e.getKey(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      }
      named = true;
    } catch (IOException | java.util.concurrent.ExecutionException e) {
      Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
      throw new WorkspaceException("cannot write a snapshot's objects in " + gitDir + ": " + cause.getMessage(), false);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WorkspaceException("interrupted while writing a snapshot's objects", false);
    } finally {
      if (!named) deleteAll(batch.values());
    }
  }

  private static void force(Path file) throws IOException {
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  private Path objectFile(String id) {
    return gitDir.resolve("objects").resolve(id.substring(0, 2)).resolve(id.substring(2));
  }

  /** Points {@code ref} (e.g. refs/marathon/snapshots) at {@code id}, at once but not durably (see above). */
  void updateRef(String ref, String id) {
    try {
      Workspace.write(gitDir.resolve(ref), id + "\n");
    } catch (java.io.UncheckedIOException e) {
      throw new WorkspaceException("cannot write " + gitDir.resolve(ref) + ": " + e.getCause().getMessage(), false);
    }
  }

  private static String sha1(byte[] header, byte[] body) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-1");
      md.update(header);
      md.update(body);
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
