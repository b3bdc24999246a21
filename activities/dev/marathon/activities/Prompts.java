package dev.marathon.activities;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Prompts live in resource files ({@code marathon/*.md}), rendered with {@code {{name}}} slots. */
public final class Prompts {

  public static String system(String branch) {
    return load("system.md").replace("{{branch}}", branch);
  }

  /** How the summary a compaction puts in the conversation begins (what reading a run back finds it by). */
  public static final String COMPACTION_MARK = "[marathon] The conversation was compacted: ";

  /** How a run's first message begins: this, its one-line title, a blank line, then the task. */
  public static final String TASK_HEADING = "Task: ";

  public static String task(String title, String task) {
    return TASK_HEADING + title + "\n\n" + task;
  }

  /** A sub-agent's task: the coordinator's words, and what being one of many means. */
  public static String subAgentTask(String title, String task, String coordinator) {
    return TASK_HEADING + title + "\n\n" + task + "\n\n" + load("sub-agent.md").replace("{{coordinator}}", coordinator);
  }

  public static String load(String name) {
    try (InputStream in = Prompts.class.getResourceAsStream("/marathon/" + name)) {
      if (in == null) throw new IllegalStateException("prompt marathon/" + name + " is missing from the classpath");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Prompts() {}
}
