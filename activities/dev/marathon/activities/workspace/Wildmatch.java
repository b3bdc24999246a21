package dev.marathon.activities.workspace;

/**
 * Git's glob matching ({@code wildmatch.c}, with {@code WM_PATHNAME}), as {@code .gitignore}
 * patterns use it: {@code *} and {@code ?} stop at a slash, {@code **} between slashes crosses
 * any number of directories, {@code [a-z]} and {@code [!a]} are sets, a backslash quotes. It is
 * needed where Marathon decides in-process what {@code git add -A} would add ({@link
 * IgnoreRules}): an answer that differs from git's would put a file in a snapshot that git leaves
 * out. Strings here are bytes (ISO-8859-1, one char a byte), as git compares them; a named class
 * ({@code [[:alpha:]]}) is not implemented and throws {@link Unsupported}, so the caller asks git.
 */
final class Wildmatch {
  private static final int MATCH = 0;
  private static final int NOMATCH = 1;
  private static final int ABORT_ALL = -1;
  private static final int ABORT_TO_STARSTAR = -2;

  /** A pattern this class does not decide; the caller asks git instead. */
  static final class Unsupported extends RuntimeException {
    Unsupported(String why) {
      super(why, null, false, false);
    }
  }

  /** Whether {@code text} matches {@code pattern} as git's wildmatch with {@code WM_PATHNAME} says. */
  static boolean matches(String pattern, String text) {
    return dowild(pattern, 0, text, 0) == MATCH;
  }

  private static boolean special(char c) {
    return c == '*' || c == '?' || c == '[' || c == '\\';
  }

  private static char at(String s, int i) {
    return i < s.length() ? s.charAt(i) : '\0';
  }

  /** {@code wildmatch.c}'s dowild, step for step (a NUL ends either string, as in C). */
  private static int dowild(String pat, int p, String text, int t) {
    int start = p; // git's "pattern": where this call's pattern begins
    for (; p < pat.length(); t++, p++) {
      char pc = pat.charAt(p);
      char tc = at(text, t);
      if (tc == '\0' && pc != '*') return ABORT_ALL;
      switch (pc) {
        case '\\':
          pc = at(pat, ++p);
          if (tc != pc) return NOMATCH;
          continue;
        case '?':
          if (tc == '/') return NOMATCH;
          continue;
        case '*': {
          boolean matchSlash;
          if (at(pat, ++p) == '*') {
            int prev = p - 2;
            while (at(pat, ++p) == '*') {}
            if ((prev < start || pat.charAt(prev) == '/')
                && (p >= pat.length() || pat.charAt(p) == '/' || pat.charAt(p) == '\\' && at(pat, p + 1) == '/')) {
              if (at(pat, p) == '/' && dowild(pat, p + 1, text, t) == MATCH) return MATCH;
              matchSlash = true;
            } else {
              matchSlash = false;
            }
          } else {
            matchSlash = false;
          }
          if (p >= pat.length()) {
            // A trailing "**" matches everything; a trailing "*" only what has no more slashes.
            if (!matchSlash && text.indexOf('/', t) >= 0) return NOMATCH;
            return MATCH;
          } else if (!matchSlash && pat.charAt(p) == '/') {
            int slash = text.indexOf('/', t);
            if (slash < 0) return NOMATCH;
            t = slash; // the loop's t++ and p++ step over both slashes
            continue;
          }
          while (true) {
            if (tc == '\0') break;
            if (!special(pat.charAt(p))) {
              char want = pat.charAt(p);
              while ((tc = at(text, t)) != '\0' && (matchSlash || tc != '/')) {
                if (tc == want) break;
                t++;
              }
              if (tc != want) return NOMATCH;
            }
            int matched = dowild(pat, p, text, t);
            if (matched != NOMATCH) {
              if (!matchSlash || matched != ABORT_TO_STARSTAR) return matched;
            } else if (!matchSlash && tc == '/') {
              return ABORT_TO_STARSTAR;
            }
            tc = at(text, ++t);
          }
          return ABORT_ALL;
        }
        case '[': {
          pc = at(pat, ++p);
          boolean negated = false;
          if (pc == '!' || pc == '^') {
            negated = true;
            pc = at(pat, ++p);
          }
          char prevChar = '\0';
          boolean matched = false;
          do {
            if (pc == '\0' || p >= pat.length()) return ABORT_ALL;
            if (pc == '\\') {
              pc = at(pat, ++p);
              if (pc == '\0' || p >= pat.length()) return ABORT_ALL;
              if (tc == pc) matched = true;
            } else if (pc == '-' && prevChar != '\0' && at(pat, p + 1) != '\0' && at(pat, p + 1) != ']') {
              pc = at(pat, ++p);
              if (pc == '\\') {
                pc = at(pat, ++p);
                if (pc == '\0' || p >= pat.length()) return ABORT_ALL;
              }
              if (tc <= pc && tc >= prevChar) matched = true;
              pc = '\0'; // so that prevChar becomes 0
            } else if (pc == '[' && at(pat, p + 1) == ':') {
              throw new Unsupported("a named character class in " + pat);
            } else if (tc == pc) {
              matched = true;
            }
            prevChar = pc;
            pc = at(pat, ++p);
          } while (pc != ']');
          if (matched == negated || tc == '/') return NOMATCH;
          continue;
        }
        default:
          if (tc != pc) return NOMATCH;
      }
    }
    return t < text.length() ? NOMATCH : MATCH;
  }

  private Wildmatch() {}
}
