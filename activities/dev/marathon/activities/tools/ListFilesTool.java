package dev.marathon.activities.tools;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;

/**
 * {@code list_files {path?, pattern?}}: files under {@code path} (default: the whole workspace),
 * filtered by a glob. A pattern without {@code /} matches file names ({@code *.java}); one with
 * {@code /} matches paths relative to {@code path} ({@code src/**&#47;*Test.java}). Ignored files
 * are left out.
 */
public final class ListFilesTool implements WorkspaceTool<ListFilesTool.Call> {
  static final int MAX_ENTRIES = 500;

  @Override
  public ToolSpec spec() {
    return new ToolSpec("list_files",
        "List files (not ignored by git) under a directory. pattern is a glob: without '/' it matches file names"
            + " (\"*.java\"), with '/' it matches paths relative to path (\"src/**/*Test.java\").",
        Schema.object()
            .optional("path", Schema.string("Directory relative to the workspace root (default: the root)."))
            .optional("pattern", Schema.string("Glob to filter by (optional).")),
        true);
  }

  /** @param pattern a glob, or null for every file */
  public record Call(String path, String pattern) implements OnePath {}

  @Override
  public Call parse(Arguments args) {
    return new Call(args.optionalString("path", "."), args.optionalString("pattern", null));
  }

  @Override
  public String describe(Call call) {
    return call.path() + (call.pattern() != null ? " " + call.pattern() : "");
  }

  @Override
  public ToolOutput run(Call call, ToolContext context) {
    String rel = call.path();
    String pattern = call.pattern();
    Path dir = WorkspacePath.resolve(context.root(), rel.isBlank() ? "." : rel, false);
    if (!Files.exists(dir)) throw new ToolException("list_files: no such directory '" + rel + "'");
    String base = WorkspacePath.display(context.root(), dir);
    PathMatcher matcher = null;
    if (pattern != null && !pattern.isBlank()) {
      try {
        matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
      } catch (IllegalArgumentException e) {
        throw new ToolException("list_files: bad glob '" + pattern + "': " + e.getMessage());
      }
    }
    boolean byName = pattern != null && !pattern.contains("/");
    List<String> files = context.files().under(context.root(), base);
    StringBuilder out = new StringBuilder();
    int shown = 0;
    int matched = 0;
    for (String f : files) {
      if (matcher != null) {
        String relToBase = base.equals(".") ? f : f.equals(base) ? Path.of(f).getFileName().toString() : f.substring(base.length() + 1);
        Path candidate = byName ? Path.of(relToBase).getFileName() : Path.of(relToBase);
        if (!matcher.matches(candidate)) continue;
      }
      matched++;
      if (shown < MAX_ENTRIES) {
        out.append(f).append('\n');
        shown++;
      }
    }
    if (matched == 0) return ToolOutput.ok("No files match.", "0 files");
    if (matched > shown) out.append("[… and ").append(matched - shown).append(" more; narrow path or pattern]\n");
    return ToolOutput.ok(out.toString(), matched + " files");
  }
}
