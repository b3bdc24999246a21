package dev.marathon.activities.tools;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code read_file {path, offset?, limit?}}: lines of a text file, numbered. {@code offset} is the
 * 1-based first line, {@code limit} the number of lines (default 2,000).
 */
public final class ReadFileTool implements WorkspaceTool<ReadFileTool.Call> {
  static final int DEFAULT_LIMIT = 2000;
  static final int MAX_LINE_CHARS = 2000;
  static final long MAX_FILE_BYTES = 32L * 1024 * 1024;

  @Override
  public ToolSpec spec() {
    return new ToolSpec("read_file",
        "Read a text file, with line numbers. Paths are relative to the workspace root.",
        Schema.object()
            .required("path", Schema.string("File path relative to the workspace root."))
            .optional("offset", Schema.integer("1-based line number to start at (default 1)."))
            .optional("limit", Schema.integer("Number of lines to read (default 2000).")),
        true);
  }

  public record Call(String path, int offset, int limit) implements OnePath {}

  @Override
  public Call parse(Arguments args) {
    String rel = args.requiredString("path");
    int offset = args.optionalInt("offset", 1);
    int limit = args.optionalInt("limit", DEFAULT_LIMIT);
    if (offset < 1) throw new ToolException("read_file: offset is a 1-based line number, got " + offset);
    if (limit < 1) throw new ToolException("read_file: limit must be at least 1, got " + limit);
    return new Call(rel, offset, limit);
  }

  @Override
  public ToolOutput run(Call call, ToolContext context) {
    String rel = call.path();
    int offset = call.offset();
    int limit = call.limit();
    Path file = WorkspacePath.resolve(context.root(), rel, false);
    if (Files.isDirectory(file)) throw new ToolException("read_file: '" + rel + "' is a directory; use list_files");
    if (!Files.isRegularFile(file)) throw new ToolException("read_file: no such file '" + rel + "'");
    try {
      if (Files.size(file) > MAX_FILE_BYTES) throw new ToolException("read_file: '" + rel + "' is larger than 32 MiB; use bash (head, sed -n) to read parts");
    } catch (IOException e) {
      throw new ToolException("read_file: cannot read '" + rel + "': " + e.getMessage());
    }
    String text = decode(WorkspacePath.read(context.root(), file, rel), rel);
    String[] lines = text.split("\n", -1);
    int total = text.endsWith("\n") ? lines.length - 1 : lines.length;
    if (text.isEmpty()) return ToolOutput.ok("(empty file)", "empty file");
    if (offset > total) throw new ToolException("read_file: offset " + offset + " is past the end of '" + rel + "' (" + total + " lines)");
    int last = (int) Math.min((long) offset + limit - 1, total);
    StringBuilder out = new StringBuilder();
    for (int i = offset; i <= last; i++) {
      String line = lines[i - 1];
      if (line.length() > MAX_LINE_CHARS) line = line.substring(0, MAX_LINE_CHARS) + " [… line cut]";
      out.append(String.format("%6d\t%s%n", i, line));
    }
    if (last < total) {
      out.append("(lines ").append(offset).append('-').append(last).append(" of ").append(total)
          .append("; call read_file with offset=").append(last + 1).append(" to read on)\n");
    }
    return ToolOutput.ok(BoundedText.cut(out.toString(), BoundedText.MODEL_CHARS * 4),
        "lines " + offset + "-" + last + " of " + total);
  }

  static String decode(byte[] bytes, String rel) {
    for (int i = 0; i < Math.min(bytes.length, 8192); i++) {
      if (bytes[i] == 0) throw new ToolException("'" + rel + "' is a binary file");
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return new String(bytes, StandardCharsets.ISO_8859_1);
    }
  }
}
