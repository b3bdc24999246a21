package dev.marathon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code marathon --version} says the version pom.xml gives the build, not a string of its own. */
class VersionTest {

  @Test
  void versionIsThePomsVersion() throws Exception {
    String pom = Files.readString(Path.of("pom.xml"));
    Matcher m = Pattern.compile("<artifactId>marathon</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
    assertTrue(m.find(), "the project's version in pom.xml");
    BadInputTest.Result r = BadInputTest.marathon("--version");
    assertEquals(0, r.code(), r.err());
    assertEquals("marathon " + m.group(1), r.out().strip());
  }
}
