package dev.marathon.activities.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code edit_file {path, old_string, new_string, replace_all?}}: exact string replacement. An
 * absent {@code old_string}, or one that is not unique without {@code replace_all}, is refused
 * and the file is left as it was.
 */
public final class EditFileTool implements Tool {

  @Override
  public String name() {
    return "edit_file";
  }

  @Override
  public boolean readOnly() {
    return false;
  }

  @Override
  public ToolOutput run(JsonNode arguments, ToolContext context) {
    Arguments args = new Arguments(name(), arguments);
    String rel = args.requiredString("path");
    String oldString = args.requiredString("old_string");
    String newString = args.requiredString("new_string");
    boolean replaceAll = args.optionalBoolean("replace_all", false);
    if (oldString.isEmpty()) throw new ToolException("edit_file: old_string is empty; use write_file to create a file");
    if (oldString.equals(newString)) throw new ToolException("edit_file: old_string and new_string are the same");
    Path file = WorkspacePath.resolve(context.root(), rel, true);
    if (!Files.isRegularFile(file)) throw new ToolException("edit_file: no such file '" + rel + "'");
    String text;
    try {
      text = ReadFileTool.decode(Files.readAllBytes(file), rel);
    } catch (IOException e) {
      throw new ToolException("edit_file: cannot read '" + rel + "': " + e.getMessage());
    }
    int count = occurrences(text, oldString);
    if (count == 0) throw new ToolException("edit_file: old_string was not found in '" + rel + "' (it must match exactly, whitespace included)");
    if (count > 1 && !replaceAll) {
      throw new ToolException("edit_file: old_string occurs " + count + " times in '" + rel
          + "'; include more surrounding text to make it unique, or set replace_all to true");
    }
    String edited = replaceAll ? text.replace(oldString, newString) : replaceFirst(text, oldString, newString);
    try {
      Files.write(file, edited.getBytes(StandardCharsets.UTF_8));
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
