package dev.marathon.activities.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code write_file {path, content}}: creates or replaces a file, creating parent directories. */
public final class WriteFileTool implements Tool {

  @Override
  public String name() {
    return "write_file";
  }

  @Override
  public boolean readOnly() {
    return false;
  }

  @Override
  public ToolOutput run(JsonNode arguments, ToolContext context) {
    Arguments args = new Arguments(name(), arguments);
    String rel = args.requiredString("path");
    String content = args.requiredString("content");
    Path file = WorkspacePath.resolve(context.root(), rel, true);
    if (Files.isDirectory(file)) throw new ToolException("write_file: '" + rel + "' is a directory");
    boolean existed = Files.exists(file);
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new ToolException("write_file: cannot write '" + rel + "': " + e.getMessage());
    }
    String what = (existed ? "Replaced " : "Created ") + WorkspacePath.display(context.root(), file);
    return ToolOutput.ok(what + " (" + bytes.length + " bytes, " + BoundedText.lines(content) + " lines).",
        (existed ? "replaced · " : "created · ") + bytes.length + " bytes");
  }
}
