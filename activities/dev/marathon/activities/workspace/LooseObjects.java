package dev.marathon.activities.workspace;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * Writes a commit object and a ref into Marathon's own (SHA-1, bare) snapshot repository without
 * starting git: a snapshot is made after every step that changes the workspace, and a process
 * start costs milliseconds where writing a few hundred bytes costs microseconds. Both are written
 * the way git writes them (a loose object is the zlib-deflated "commit &lt;size&gt;\0" + content,
 * named by its SHA-1; a ref goes through "&lt;ref&gt;.lock" and a rename), and both are fsynced: the
 * workflow records the snapshot only after this returns, so it must be on disk when it does.
 */
final class LooseObjects {
  private final Path gitDir;

  LooseObjects(Path gitDir) {
    this.gitDir = gitDir;
  }

  /** Stores a commit with the given (complete) content; returns its id. Idempotent. */
  String writeCommit(String content) {
    byte[] body = content.getBytes(StandardCharsets.UTF_8);
    byte[] header = ("commit " + body.length + "\0").getBytes(StandardCharsets.US_ASCII);
    String id = sha1(header, body);
    Path file = gitDir.resolve("objects").resolve(id.substring(0, 2)).resolve(id.substring(2));
    if (Files.exists(file)) return id;
    ByteArrayOutputStream deflated = new ByteArrayOutputStream(body.length / 2 + 64);
    try (DeflaterOutputStream z = new DeflaterOutputStream(deflated, new Deflater(Deflater.BEST_SPEED))) {
      z.write(header);
      z.write(body);
    } catch (IOException e) {
      throw new WorkspaceException("cannot compress a snapshot commit: " + e.getMessage(), false);
    }
    durablyReplace(file, deflated.toByteArray(), false);
    return id;
  }

  /** Points {@code ref} (e.g. refs/marathon/snapshots) at {@code id}. */
  void updateRef(String ref, String id) {
    durablyReplace(gitDir.resolve(ref), (id + "\n").getBytes(StandardCharsets.US_ASCII), true);
  }

  /** Writes next to {@code file}, fsyncs, renames over it: readers see the old content or the new, never half. */
  private static void durablyReplace(Path file, byte[] bytes, boolean replace) {
    Path lock = file.resolveSibling(file.getFileName() + ".lock");
    try {
      Files.createDirectories(file.getParent());
      Files.deleteIfExists(lock); // left by a crashed attempt: this process holds the workspace's lease
      try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(bytes));
        ch.force(true);
      }
      if (replace) {
        Files.move(lock, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } else {
        try {
          Files.move(lock, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException same) {
          Files.deleteIfExists(lock); // the same content, written meanwhile: content-addressed
        }
      }
    } catch (IOException e) {
      throw new WorkspaceException("cannot write " + file + ": " + e.getMessage(), false);
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
