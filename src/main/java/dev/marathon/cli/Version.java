package dev.marathon.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/**
 * What {@code marathon --version} prints: the version in pom.xml, which the build writes into
 * {@code marathon/version.properties} (the one filtered resource).
 */
final class Version implements CommandLine.IVersionProvider {

  /** The project's version, e.g. {@code 0.1.0-SNAPSHOT}, or {@code unknown} when the build did not record it. */
  static String of() {
    try (InputStream in = Version.class.getResourceAsStream("/marathon/version.properties")) {
      if (in == null) return "unknown";
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "").strip();
      return v.isEmpty() || v.contains("${") ? "unknown" : v;
    } catch (IOException e) {
      return "unknown";
    }
  }

  @Override
  public String[] getVersion() {
    return new String[] {"marathon " + of()};
  }
}
