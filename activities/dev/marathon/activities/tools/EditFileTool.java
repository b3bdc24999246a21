package dev.marathon.activities.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code edit_file {path, old_string, new_string, replace_all?}}: exact string replacement. An
 * absent {@code old_string}, or one that is not unique without {@code replace_all}, is refused
 * and the file is left as it was.
 */
public final class EditFileTool implements WorkspaceTool<EditFileTool.Call> {

  @Override
  public ToolSpec spec() {
    return new ToolSpec("edit_file",
        "Replace an exact string in a file. old_string must occur exactly once unless replace_all is true; include"
            + " enough surrounding lines to make it unique. Whitespace must match exactly.",
        Schema.object()
            .required("path", Schema.string("File path relative to the workspace root."))
            .required("old_string", Schema.string("The exact text to replace."))
            .required("new_string", Schema.string("The text to put in its place."))
            .optional("replace_all", Schema.bool("Replace every occurrence (default false).")),
        false);
  }

  public record Call(String path, String oldString, String newString, boolean replaceAll) implements OnePath {}

  @Override
  public Call parse(Arguments args) {
    Call call = new Call(args.requiredString("path"), args.requiredString("old_string"),
        args.requiredString("new_string"), args.optionalBoolean("replace_all", false));
    if (call.oldString().isEmpty()) throw new ToolException("edit_file: old_string is empty; use write_file to create a file");
    if (call.oldString().equals(call.newString())) throw new ToolException("edit_file: old_string and new_string are the same");
    return call;
  }

  @Override
  public ToolOutput run(Call call, ToolContext context) {
    String rel = call.path();
    String oldString = call.oldString();
    String newString = call.newString();
    boolean replaceAll = call.replaceAll();
    Path file = WorkspacePath.resolve(context.root(), rel, true);
    if (!Files.isRegularFile(file)) throw new ToolException("edit_file: no such file '" + rel + "'");
    String text = ReadFileTool.decode(WorkspacePath.read(context.root(), file, rel), rel);
    int count = occurrences(text, oldString);
    if (count == 0) throw new ToolException("edit_file: old_string was not found in '" + rel + "' (it must match exactly, whitespace included)");
    if (count > 1 && !replaceAll) {
      throw new ToolException("edit_file: old_string occurs " + count + " times in '" + rel
          + "'; include more surrounding text to make it unique, or set replace_all to true");
    }
    String edited = replaceAll ? text.replace(oldString, newString) : replaceFirst(text, oldString, newString);
    try {
      WorkspacePath.write(file, edited.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ToolException("edit_file: cannot write '" + rel + "': " + e.getMessage());
    }
    int replaced = replaceAll ? count : 1;
    return ToolOutput.ok("Replaced " + replaced + " occurrence" + (replaced == 1 ? "" : "s") + " in " + WorkspacePath.display(context.root(), file) + ".",
        replaced + " replaced");
  }

  static int occurrences(String text, String needle) {
    int count = 0;
    for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length())) count++;
    return count;
  }

  private static String replaceFirst(String text, String oldString, String newString) {
    int at = text.indexOf(oldString);
    return text.substring(0, at) + newString + text.substring(at + oldString.length());
  }
}
