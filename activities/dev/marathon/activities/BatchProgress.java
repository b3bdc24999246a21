package dev.marathon.activities;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.marathon.workflows.api.ToolResult;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * What a batch of tool calls has done so far, on disk beside the workspace: after each call its
 * result (snapshot and stored output refs), fsynced before the next call starts. An attempt that
 * follows a crash reads it and goes on after the last finished call — the workspace is brought to
 * that call's snapshot, so an effect of a call that did not finish is undone, and no finished call
 * runs again. One file per workspace: a batch's record is only for the batch that wrote it (its
 * first step and starting snapshot must match), and the next batch replaces it.
 */
final class BatchProgress {
  private final Path file;
  private final String firstStep;
  private final String from;

  record Record(@JsonProperty("firstStep") String firstStep, @JsonProperty("from") String from,
      @JsonProperty("results") List<ToolResult> results) {}

  BatchProgress(Path file, String firstStep, String from) {
    this.file = file;
    this.firstStep = firstStep;
    this.from = from;
  }

  /** The results recorded for this batch, or none. */
  List<ToolResult> read() {
    if (!Files.isRegularFile(file)) return List.of();
    try {
      Record r = Json.MAPPER.readValue(file.toFile(), Record.class);
      return r.firstStep().equals(firstStep) && r.from().equals(from) ? r.results() : List.of();
    } catch (IOException | RuntimeException unreadable) {
      return List.of(); // a torn or foreign record: start the batch over from its own snapshot
    }
  }

  void write(List<ToolResult> done) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      byte[] bytes = Json.MAPPER.writeValueAsBytes(new Record(firstStep, from, done));
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(bytes));
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new IllegalStateException("cannot record the progress of a tool batch in " + file + ": " + e.getMessage(), e);
    }
  }
}
