package dev.marathon.activities.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code write_file {path, content}}: creates or replaces a file, creating parent directories. */
public final class WriteFileTool implements WorkspaceTool<WriteFileTool.Call> {

  @Override
  public ToolSpec spec() {
    return new ToolSpec("write_file",
        "Create or overwrite a file with the given content. Parent directories are created.",
        Schema.object()
            .required("path", Schema.string("File path relative to the workspace root."))
            .required("content", Schema.string("The complete new content of the file.")),
        false);
  }

  public record Call(String path, String content) implements OnePath {}

  @Override
  public Call parse(Arguments args) {
    return new Call(args.requiredString("path"), args.requiredString("content"));
  }

  @Override
  public ToolOutput run(Call call, ToolContext context) {
    String rel = call.path();
    String content = call.content();
    Path file = WorkspacePath.resolve(context.root(), rel, true);
    if (Files.isDirectory(file)) throw new ToolException("write_file: '" + rel + "' is a directory");
    boolean existed = Files.exists(file);
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    try {
      WorkspacePath.write(file, bytes);
    } catch (IOException e) {
      throw new ToolException("write_file: cannot write '" + rel + "': " + e.getMessage());
    }
    String what = (existed ? "Replaced " : "Created ") + WorkspacePath.display(context.root(), file);
    return ToolOutput.ok(what + " (" + bytes.length + " bytes, " + BoundedText.lines(content) + " lines).",
        (existed ? "replaced · " : "created · ") + bytes.length + " bytes");
  }
}
