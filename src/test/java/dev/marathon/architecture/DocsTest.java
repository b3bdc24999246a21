package dev.marathon.architecture;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The project explains itself: its docs' links resolve, and nothing points outside the repository. */
class DocsTest {
  static final Path ROOT = Path.of("").toAbsolutePath();
  static final Pattern LINK = Pattern.compile("\\]\\(([^)#\\s]+)(#[^)]*)?\\)");
  /** A document named the way project documents are (upper case, like README.md): it must be one this repository holds. */
  static final Pattern DOCUMENT = Pattern.compile("\\b[A-Z][A-Z0-9]*(?:[-_][A-Z0-9]+)*\\.md\\b");

  @Test
  void everyRelativeLinkInTheDocsResolves() throws Exception {
    List<String> broken = new ArrayList<>();
    for (Path md : markdown()) {
      Matcher m = LINK.matcher(Files.readString(md));
      while (m.find()) {
        String target = m.group(1);
        if (target.contains("://") || target.startsWith("mailto:")) continue;
        if (!Files.exists(md.getParent().resolve(target).normalize())) broken.add(ROOT.relativize(md) + " → " + target);
      }
    }
    assertTrue(broken.isEmpty(), "broken links: " + broken);
    assertTrue(Files.exists(ROOT.resolve("docs/architecture.md")) && Files.exists(ROOT.resolve("docs/model-protocol.md"))
        && Files.exists(ROOT.resolve("docs/operations.md")));
  }

  @Test
  void nothingPointsAtDocumentsOutsideTheRepository() throws Exception {
    java.util.Set<String> held = new java.util.HashSet<>();
    List<Path> sources;
    try (Stream<Path> files = Files.walk(ROOT)) {
      sources = files.filter(Files::isRegularFile).filter(DocsTest::isSource).toList();
    }
    for (Path p : sources) held.add(p.getFileName().toString());
    List<String> found = new ArrayList<>();
    for (Path p : sources) {
      Matcher m = DOCUMENT.matcher(Files.readString(p));
      while (m.find()) if (!held.contains(m.group())) found.add(ROOT.relativize(p) + ": " + m.group());
    }
    for (Path md : markdown()) {
      Matcher m = LINK.matcher(Files.readString(md));
      while (m.find()) {
        String target = m.group(1);
        if (!target.contains("://") && !md.getParent().resolve(target).normalize().startsWith(ROOT)) found.add(ROOT.relativize(md) + " → " + target);
      }
    }
    assertTrue(found.isEmpty(), "references outside the repository: " + found);
  }

  static boolean isSource(Path p) {
    String rel = ROOT.relativize(p).toString();
    if (rel.startsWith(".git/") || rel.startsWith("target/") || rel.startsWith("src/test/resources/histories")) return false;
    return rel.matches(".*\\.(java|md|xml|yml|sh|json)$") || rel.startsWith("scripts/") || rel.equals("marathon");
  }

  static List<Path> markdown() throws Exception {
    List<Path> md = new ArrayList<>(List.of(ROOT.resolve("README.md")));
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      md.addAll(docs.filter(p -> p.toString().endsWith(".md")).toList());
    }
    return md;
  }
}
