package dev.marathon.activities.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code grep {pattern, path?}}: lines matching a Java regular expression, as {@code
 * file:line: text}, in the files under {@code path} (a file or a directory; default: all).
 * Binary files and ignored files are skipped.
 */
public final class GrepTool implements WorkspaceTool<GrepTool.Call> {
  static final int MAX_MATCHES = 200;
  static final long MAX_FILE_BYTES = 4L * 1024 * 1024;
  static final int MAX_LINE_CHARS = 300;

  @Override
  public ToolSpec spec() {
    return new ToolSpec("grep",
        "Search file contents with a regular expression (Java syntax). Returns file:line: text for each matching line."
            + " Ignored and binary files are skipped.",
        Schema.object()
            .required("pattern", Schema.string("Regular expression to search for."))
            .optional("path", Schema.string("File or directory relative to the workspace root (default: the root).")),
        true);
  }

  /** @param path as the model gave it, or null for the whole workspace */
  public record Call(Pattern pattern, String path) {}

  @Override
  public Call parse(Arguments args) {
    String regex = args.requiredString("pattern");
    try {
      return new Call(Pattern.compile(regex), args.optionalString("path", null));
    } catch (PatternSyntaxException e) {
      throw new ToolException("grep: bad regular expression: " + e.getDescription() + " near index " + e.getIndex());
    }
  }

  @Override
  public String describe(Call call) {
    return call.pattern().pattern() + (call.path() != null ? " in " + call.path() : "");
  }

  @Override
  public String path(Call call) {
    return call.path() == null ? "." : call.path();
  }

  @Override
  public ToolOutput run(Call call, ToolContext context) {
    Pattern pattern = call.pattern();
    String rel = call.path() == null ? "." : call.path();
    Path target = WorkspacePath.resolve(context.root(), rel.isBlank() ? "." : rel, false);
    if (!Files.exists(target)) throw new ToolException("grep: no such file or directory '" + rel + "'");
    List<String> files = Files.isRegularFile(target)
        ? List.of(WorkspacePath.display(context.root(), target))
        : context.files().under(context.root(), WorkspacePath.display(context.root(), target));
    StringBuilder out = new StringBuilder();
    int matches = 0;
    int filesWithMatches = 0;
    Map<Path, Boolean> checkedDirs = new HashMap<>();
    int seen = 0;
    for (String f : files) {
      // A whole-repository search of a large tree takes seconds: keep the activity's heartbeat
      // going (the SDK sends at most one per interval, so this costs nothing per file).
      if (++seen % 256 == 0) context.heartbeat().run();
      Path p = context.root().resolve(f);
      String text;
      try {
        if (!WorkspacePath.plainFileInside(context.root(), p, checkedDirs) || Files.size(p) > MAX_FILE_BYTES) continue;
        text = ReadFileTool.decode(Files.readAllBytes(p), f);
      } catch (IOException | ToolException unreadable) {
        continue; // a symlink, a second name, binary or vanished: not searched
      }
      boolean any = false;
      String[] lines = text.split("\n", -1);
      for (int i = 0; i < lines.length; i++) {
        Matcher m = pattern.matcher(lines[i]);
        if (!m.find()) continue;
        any = true;
        matches++;
        if (matches <= MAX_MATCHES) {
          String line = lines[i].length() > MAX_LINE_CHARS ? lines[i].substring(0, MAX_LINE_CHARS) + "…" : lines[i];
          out.append(f).append(':').append(i + 1).append(": ").append(line).append('\n');
        }
      }
      if (any) filesWithMatches++;
    }
    if (matches == 0) return ToolOutput.ok("No matches.", "0 matches");
    if (matches > MAX_MATCHES) out.append("[… ").append(matches - MAX_MATCHES).append(" more matches; narrow the pattern or path]\n");
    return ToolOutput.ok(out.toString(), matches + " matches in " + filesWithMatches + " files");
  }
}
