package dev.marathon.runtime;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Run ids are what people type: a slug of the title and four random hex digits, e.g. {@code
 * fix-the-flaky-tests-3f9c}. They name the workflow, the branch ({@code marathon/<id>}) and the
 * workspace directory, so they are limited to characters safe in all three.
 */
public final class RunIds {
  private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
  private static final SecureRandom RANDOM = new SecureRandom();

  public static String fresh(String title) {
    String slug = title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    if (slug.length() > 40) slug = slug.substring(0, 40).replaceAll("-+$", "");
    if (slug.isEmpty()) slug = "run";
    byte[] b = new byte[2];
    RANDOM.nextBytes(b);
    return slug + "-" + HexFormat.of().formatHex(b);
  }

  /** Null when {@code id} is usable, else what is wrong with it. */
  public static String problem(String id) {
    if (!VALID.matcher(id).matches()) {
      return "run id '" + id + "' must be 1-63 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit";
    }
    if (id.contains("..") || id.endsWith(".") || id.endsWith(".lock")) return "run id '" + id + "' is not usable as a git branch name";
    return dev.marathon.workflows.api.WorkspaceKey.runIdProblem(id);
  }

  private RunIds() {}
}
