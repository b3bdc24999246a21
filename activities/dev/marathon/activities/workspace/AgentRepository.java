package dev.marathon.activities.workspace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.regex.Pattern;

/**
 * The agent's {@code .git}, as Marathon's privileged code may touch it. The directory is the
 * agent's to write from inside the sandbox, so Marathon never hands it to git as a repository:
 * git would follow a gitfile, a {@code commondir}, a symlinked {@code refs} or {@code index}, or
 * an {@code include} in its config, straight into the user's repository. Instead Marathon reads
 * HEAD by parsing two files itself, writes HEAD, the branch and the index by renaming files it
 * made, and moves objects with git pointed at its own snapshot repository — each only after
 * {@link #problem()} has found the directory sound: a real directory, with no link, socket or
 * device anywhere inside, and no file that makes git look elsewhere.
 */
final class AgentRepository {
  /** Files that make git read another repository: a worktree's links, a linked repository. */
  private static final java.util.Set<String> REDIRECTS = java.util.Set.of("commondir", "gitdir");
  /** A branch name Marathon will write: under refs/heads, no component git would refuse or that climbs out. */
  private static final Pattern BRANCH = Pattern.compile("refs/heads/(?!\\.)(?!.*(?:\\.\\.|//|/\\.|@\\{|\\.lock(?:/|$)))[A-Za-z0-9._/+@=,-]{1,200}(?<![/.])");
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
  /** HEAD and a loose ref hold one line; anything larger is not git's. */
  private static final long MAX_REF_BYTES = 4096;
  /** packed-refs is read a line at a time, and not at all past this. */
  private static final long MAX_PACKED_REFS_BYTES = 256L << 20;
  /** Where HEAD is when it names no branch. */
  static final String DETACHED = "DETACHED";

  private final Path dotGit;

  AgentRepository(Path root) {
    this.dotGit = root.resolve(".git");
  }

  Path dir() {
    return dotGit;
  }

  /** HEAD as its files say: a commit, and the branch it is on or {@link #DETACHED}. */
  record Head(String commit, String ref) {}

  /** Whether there is anything at {@code .git} (a directory, a file, a link). */
  boolean exists() {
    return Files.exists(dotGit, LinkOption.NOFOLLOW_LINKS);
  }

  /** Null when Marathon may read and write the directory, else what makes it unsafe (or absent). */
  String problem() {
    if (!Files.isDirectory(dotGit, LinkOption.NOFOLLOW_LINKS)) {
      return Files.isSymbolicLink(dotGit) ? ".git is a symbolic link" : exists() ? ".git is not a directory (a gitfile?)" : ".git is missing";
    }
    String[] found = {null};
    try {
      Files.walkFileTree(dotGit, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          return check(dir, attrs);
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          return check(file, attrs);
        }

        private FileVisitResult check(Path p, BasicFileAttributes attrs) {
          String name = dotGit.relativize(p).toString();
          if (attrs.isSymbolicLink()) found[0] = ".git/" + name + " is a symbolic link";
          else if (attrs.isOther()) found[0] = ".git/" + name + " is not a file or directory";
          else if (REDIRECTS.contains(name)) found[0] = ".git/" + name + " points git at another repository";
          return found[0] == null ? FileVisitResult.CONTINUE : FileVisitResult.TERMINATE;
        }
      });
    } catch (IOException e) {
      return "cannot read .git: " + e.getMessage();
    }
    return found[0];
  }

  /**
   * HEAD from the files, or null when they say nothing Marathon can use (an unborn branch, a
   * ref it will not follow, reftable, a link on the way). Safe whatever the directory holds: it
   * reads only regular files reached through real directories inside {@code .git}, and costs no
   * process, so a step that did not move HEAD pays nothing to learn that.
   */
  Head head() {
    try {
      if (!plainFile(dotGit.resolve("HEAD"), MAX_REF_BYTES)) return null;
      String head = Files.readString(dotGit.resolve("HEAD"), StandardCharsets.UTF_8).strip();
      if (COMMIT.matcher(head).matches()) return new Head(head, DETACHED);
      if (!head.startsWith("ref: ")) return null;
      String ref = head.substring(5).strip();
      if (!BRANCH.matcher(ref).matches()) return null;
      Path loose = dotGit.resolve(ref);
      if (plainFile(loose, MAX_REF_BYTES)) {
        String commit = Files.readString(loose, StandardCharsets.UTF_8).strip();
        return COMMIT.matcher(commit).matches() ? new Head(commit, ref) : null;
      }
      Path packed = dotGit.resolve("packed-refs");
      if (!plainFile(packed, MAX_PACKED_REFS_BYTES)) return null;
      try (java.io.BufferedReader lines = Files.newBufferedReader(packed, StandardCharsets.UTF_8)) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          int space = line.indexOf(' ');
          if (space == 40 && line.substring(space + 1).equals(ref) && COMMIT.matcher(line.substring(0, 40)).matches()) {
            return new Head(line.substring(0, 40), ref);
          }
        }
      }
      return null;
    } catch (IOException | RuntimeException unreadable) {
      return null;
    }
  }

  /** A regular file reached from {@code .git} (itself included) through no link, of at most {@code maxBytes}. */
  private boolean plainFile(Path file, long maxBytes) throws IOException {
    Path at = dotGit;
    if (!Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS)) return false;
    for (Path name : dotGit.relativize(file)) {
      at = at.resolve(name);
      if (Files.isSymbolicLink(at)) return false;
    }
    // A 3 GB HEAD (a sparse file costs no disk) would be read whole: an OutOfMemoryError, not an IOException.
    return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Files.size(file) <= maxBytes;
  }

  /** Whether Marathon may write {@code ref} as the agent's branch. */
  static boolean isBranch(String ref) {
    return BRANCH.matcher(ref).matches();
  }

  /**
   * Points HEAD at {@code commit}, on {@code ref} (or detached), and puts {@code index} (made by
   * Marathon) in place as the agent's index. Each file is written beside its target and renamed
   * over it, which replaces a link rather than following it. Call after {@link #problem()}.
   */
  void point(String commit, String ref, Path index) {
    if (!COMMIT.matcher(commit).matches()) throw new WorkspaceException("not a commit: " + commit, false);
    try {
      if (ref.equals(DETACHED)) {
        replace(dotGit.resolve("HEAD"), commit + "\n");
      } else {
        if (!isBranch(ref)) throw new WorkspaceException("will not write branch " + ref + " (not a plain branch name)", false);
        Path loose = dotGit.resolve(ref);
        Files.createDirectories(loose.getParent());
        if (Files.isDirectory(loose, LinkOption.NOFOLLOW_LINKS)) Workspace.deleteTree(loose);
        replace(loose, commit + "\n");
        replace(dotGit.resolve("HEAD"), "ref: " + ref + "\n");
      }
      Files.move(index, dotGit.resolve("index"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new WorkspaceException("cannot point HEAD of " + dotGit + " at " + commit + ": " + e.getMessage(), false);
    }
  }

  /**
   * The agent's objects borrow what Marathon says they borrow, whatever the agent wrote in their
   * alternates file. False, and nothing written, when {@code .git}, {@code objects} or {@code
   * objects/info} is not a real directory: the caller must not read the agent's objects then.
   */
  boolean borrow(String objects) {
    try {
      Path info = dotGit.resolve("objects/info");
      for (Path dir : java.util.List.of(dotGit, dotGit.resolve("objects"), info)) {
        if (Files.isSymbolicLink(dir) || Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
          return false;
        }
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) Files.createDirectory(dir);
      }
      Path alternates = info.resolve("alternates");
      if (!Files.isRegularFile(alternates, LinkOption.NOFOLLOW_LINKS)
          || !Files.readString(alternates, StandardCharsets.UTF_8).equals(objects + "\n")) {
        replace(alternates, objects + "\n");
      }
      return true;
    } catch (IOException e) {
      throw new WorkspaceException("cannot write " + dotGit + "/objects/info/alternates: " + e.getMessage(), false);
    }
  }

  /** Removes whatever is at {@code .git}, following nothing (a link goes, not what it points at). */
  void remove() {
    Workspace.deleteTree(dotGit);
  }

  private static void replace(Path target, String content) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".marathon-tmp");
    Files.deleteIfExists(tmp);
    Files.writeString(tmp, content, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE_NEW,
        java.nio.file.StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
