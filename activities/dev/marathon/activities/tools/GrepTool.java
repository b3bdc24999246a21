package dev.marathon.activities.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code grep {pattern, path?}}: lines matching a Java regular expression, as {@code
 * file:line: text}, in the files under {@code path} (a file or a directory; default: all).
 * Binary files and ignored files are skipped.
 */
public final class GrepTool implements Tool {
  static final int MAX_MATCHES = 200;
  static final long MAX_FILE_BYTES = 4L * 1024 * 1024;
  static final int MAX_LINE_CHARS = 300;

  @Override
  public String name() {
    return "grep";
  }

  @Override
  public boolean readOnly() {
    return true;
  }

  @Override
  public ToolOutput run(JsonNode arguments, ToolContext context) {
    Arguments args = new Arguments(name(), arguments);
    String regex = args.requiredString("pattern");
    String rel = args.optionalString("path", ".");
    Pattern pattern;
    try {
      pattern = Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw new ToolException("grep: bad regular expression: " + e.getDescription() + " near index " + e.getIndex());
    }
    Path target = WorkspacePath.resolve(context.root(), rel.isBlank() ? "." : rel, false);
    if (!Files.exists(target)) throw new ToolException("grep: no such file or directory '" + rel + "'");
    List<String> files = Files.isRegularFile(target)
        ? List.of(WorkspacePath.display(context.root(), target))
        : WorkspaceFiles.under(context.root(), WorkspacePath.display(context.root(), target));
    StringBuilder out = new StringBuilder();
    int matches = 0;
    int filesWithMatches = 0;
    for (String f : files) {
      Path p = context.root().resolve(f);
      String text;
      try {
        if (!Files.isRegularFile(p) || Files.size(p) > MAX_FILE_BYTES) continue;
        text = ReadFileTool.decode(Files.readAllBytes(p), f);
      } catch (IOException | ToolException unreadable) {
        continue; // binary or vanished: not a match
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
