package dev.marathon.activities.workspace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether {@code git add -A} leaves a new file out because an ignore rule covers it, decided
 * without starting git, the way git's {@code dir.c} decides it: the {@code .gitignore} of each
 * directory from the root down (a deeper one before a higher one, a later line before an earlier
 * one), then the files of rules that apply everywhere (the snapshot repository's {@code
 * info/exclude}, the user's {@code git/ignore}); a directory that is ignored ignores all below it,
 * whatever rule below it says. Only untracked files are asked about: git adds changes to tracked
 * files whatever the rules say.
 *
 * <p>The answer must be git's, or a snapshot would hold a file git leaves out (or the reverse):
 * anything this class is not sure of — a rule file that is not a plain file, one too large, a named
 * character class — answers null, and the caller asks git.
 */
final class IgnoreRules {
  /** A rule file larger than this is not read here (git's own cap is 100 MB). */
  private static final long MAX_RULES_BYTES = 1 << 20;

  private final Path root;
  private final List<Rules> everywhere;
  /** The rules of each directory's {@code .gitignore} read so far, by directory (bytes; "" the root): one instance serves one snapshot. */
  private final java.util.Map<String, Rules> byDirectory = new java.util.HashMap<>();

  /** {@code globalFiles}: the files of rules for every directory, in the order git reads them (lowest precedence first). */
  IgnoreRules(Path root, List<Path> globalFiles) {
    this.root = root;
    List<Rules> global = new ArrayList<>();
    for (Path f : globalFiles) global.add(read(f, "", true));
    this.everywhere = global.contains(null) ? null : global;
  }

  /**
   * Whether git ignores the untracked file {@code path} (relative, '/'-separated; not a
   * directory); null when this cannot be sure.
   */
  Boolean ignored(String path) {
    if (everywhere == null) return null;
    String bytes = WorkTreeChanges.asBytes(path);
    try {
      List<Rules> stack = new ArrayList<>();
      int slash = -1;
      while (true) {
        String dir = slash < 0 ? "" : bytes.substring(0, slash);
        if (!dir.isEmpty()) {
          Pattern match = lastMatch(stack, dir, true);
          if (match != null && !match.negative) return true; // nothing below an ignored directory is added
        }
        Rules rules = byDirectory.computeIfAbsent(dir,
            d -> read(root.resolve(d.isEmpty() ? ".gitignore" : WorkTreeChanges.fromBytes(d) + "/.gitignore"), d.isEmpty() ? "" : d + "/", false));
        if (rules == null) return null;
        stack.add(rules);
        int next = bytes.indexOf('/', slash + 1);
        if (next < 0) break;
        slash = next;
      }
      Pattern match = lastMatch(stack, bytes, false);
      return match != null && !match.negative;
    } catch (Wildmatch.Unsupported e) {
      return null;
    }
  }

  /** The rule that decides {@code path}: the deepest directory's file first, each file's last line first. */
  private Pattern lastMatch(List<Rules> dirs, String path, boolean isDir) {
    String basename = path.substring(path.lastIndexOf('/') + 1);
    for (int i = dirs.size() - 1; i >= 0; i--) {
      Pattern p = dirs.get(i).lastMatch(path, basename, isDir);
      if (p != null) return p;
    }
    for (int i = everywhere.size() - 1; i >= 0; i--) {
      Pattern p = everywhere.get(i).lastMatch(path, basename, isDir);
      if (p != null) return p;
    }
    return null;
  }

  /**
   * The rules of one file, whose patterns are relative to {@code base} ("" or "dir/"); empty when
   * there is none; null when not sure. Git follows a link for the files that apply everywhere, not
   * for a {@code .gitignore} in the tree.
   */
  private static Rules read(Path file, String base, boolean followLink) {
    byte[] content;
    try {
      LinkOption[] how = followLink ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
      var a = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class, how);
      if (!a.isRegularFile() || a.size() > MAX_RULES_BYTES) return null; // git does not follow a linked .gitignore; a large one is git's to read
      content = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return new Rules(List.of());
    } catch (IOException e) {
      return null;
    }
    String text = new String(content, StandardCharsets.ISO_8859_1);
    if (text.indexOf('\0') >= 0) return null; // git reads a line only up to a NUL: not decided here
    if (text.startsWith("\u00EF\u00BB\u00BF")) text = text.substring(3); // a UTF-8 byte order mark
    List<Pattern> patterns = new ArrayList<>();
    int from = 0;
    while (from < text.length()) {
      int nl = text.indexOf('\n', from);
      if (nl < 0) nl = text.length();
      String line = text.substring(from, nl);
      from = nl + 1;
      if (line.isEmpty() || line.charAt(0) == '#') continue;
      if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
      Pattern p = Pattern.parse(trimTrailingSpaces(line), base);
      if (p != null) patterns.add(p);
    }
    return new Rules(patterns);
  }

  /** Git's trim_trailing_spaces: unescaped spaces at the end go. */
  private static String trimTrailingSpaces(String s) {
    int lastSpace = -1;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == ' ') {
        if (lastSpace < 0) lastSpace = i;
      } else if (c == '\\') {
        if (++i >= s.length()) return s;
        lastSpace = -1;
      } else {
        lastSpace = -1;
      }
    }
    return lastSpace < 0 ? s : s.substring(0, lastSpace);
  }

  private record Rules(List<Pattern> patterns) {
    Pattern lastMatch(String path, String basename, boolean isDir) {
      for (int i = patterns.size() - 1; i >= 0; i--) {
        Pattern p = patterns.get(i);
        if (p.mustBeDir && !isDir) continue;
        if (p.matches(path, basename)) return p;
      }
      return null;
    }
  }

  /** One line of a rule file, as git's parse_path_pattern reads it. */
  private record Pattern(String pattern, String base, boolean negative, boolean mustBeDir, boolean noDir, int literalPrefix) {
    static Pattern parse(String line, String base) {
      boolean negative = line.startsWith("!");
      String p = negative ? line.substring(1) : line;
      boolean mustBeDir = p.endsWith("/");
      if (mustBeDir) p = p.substring(0, p.length() - 1);
      if (p.isEmpty()) return null; // matches nothing
      return new Pattern(p, base, negative, mustBeDir, p.indexOf('/') < 0, literalLength(p));
    }

    /** How much of a pattern comes before its first wildcard (git's simple_length). */
    private static int literalLength(String p) {
      for (int i = 0; i < p.length(); i++) {
        char c = p.charAt(i);
        if (c == '*' || c == '?' || c == '[' || c == '\\') return i;
      }
      return p.length();
    }

    boolean matches(String path, String basename) {
      if (noDir) return literalPrefix == pattern.length() ? pattern.equals(basename) : Wildmatch.matches(pattern, basename);
      // git's match_pathname: relative to the rule file's directory; a leading slash only anchors.
      String pat = pattern;
      int prefix = literalPrefix;
      if (pat.startsWith("/")) {
        pat = pat.substring(1);
        prefix--;
      }
      if (!path.startsWith(base) || path.length() <= base.length()) return false;
      String name = path.substring(base.length());
      if (prefix > 0) {
        if (prefix > name.length() || !name.startsWith(pat.substring(0, prefix))) return false;
        pat = pat.substring(prefix);
        name = name.substring(prefix);
        if (pat.isEmpty() && name.isEmpty()) return true;
      }
      return Wildmatch.matches(pat, name);
    }
  }
}
