package dev.marathon.activities.workspace;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;

/**
 * Writes objects (commits, and the trees and files of a step's snapshot: {@link ChangedTree}) and
 * a ref into Marathon's own (SHA-1, bare) snapshot repository, and reads its loose trees, without
 * starting git: a snapshot is made after every step that changes the workspace, and a process
 * start costs milliseconds where writing a few hundred bytes costs microseconds. Both are written
 * the way git writes them (a loose object is the zlib-deflated "commit &lt;size&gt;\0" + content,
 * named by its SHA-1; a ref is written beside itself and renamed over: {@link Workspace#writeDurably}), and both are fsynced: the
 * workflow records the snapshot only after this returns, so it must be on disk when it does.
 */
final class LooseObjects {
  private final Path gitDir;

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
    if (Files.exists(file)) return id;
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
    Workspace.writeDurably(file, deflated.toByteArray());
    return id;
  }

  private Path objectFile(String id) {
    return gitDir.resolve("objects").resolve(id.substring(0, 2)).resolve(id.substring(2));
  }

  /** Points {@code ref} (e.g. refs/marathon/snapshots) at {@code id}. */
  void updateRef(String ref, String id) {
    Workspace.writeDurably(gitDir.resolve(ref), (id + "\n").getBytes(StandardCharsets.US_ASCII));
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
