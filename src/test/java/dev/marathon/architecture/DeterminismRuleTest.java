package dev.marathon.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Workflow code must replay identically: it may not depend on activity implementations, the
 * runtime around it, IO, clocks, randomness or threads (docs/architecture.md, "Determinism and upgrades").
 * Activity interfaces and records in {@code dev.marathon.workflows.api} are its only contract
 * with the world.
 */
class DeterminismRuleTest {
  static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.marathon");
  }

  static final String WORKFLOWS = "dev.marathon.workflows..";

  @Test
  void workflowCodeDoesNotDependOnActivitiesOrTheRuntime() {
    ArchRule rule = noClasses().that().resideInAPackage(WORKFLOWS)
        .should().dependOnClassesThat().resideInAnyPackage("dev.marathon.activities..", "dev.marathon.runtime..", "dev.marathon.cli..")
        .because("workflows orchestrate; side effects live behind the activity interfaces");
    rule.check(classes);
  }

  @Test
  void workflowCodeDoesNoIo() {
    noClasses().that().resideInAPackage(WORKFLOWS)
        .should().dependOnClassesThat().resideInAnyPackage("java.io..", "java.nio.file..", "java.nio.channels..", "java.net..", "java.net.http..")
        .because("IO in workflow code breaks replay")
        .check(classes);
  }

  @Test
  void workflowCodeUsesNoThreadsClocksOrRandomness() {
    noClasses().that().resideInAPackage(WORKFLOWS)
        .should().dependOnClassesThat().haveFullyQualifiedName("java.lang.Thread")
        .orShould().dependOnClassesThat().resideInAnyPackage("java.util.concurrent..")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.Random")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.security.SecureRandom")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.time.Clock")
        .orShould().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(System.class, "nanoTime")
        .orShould().callMethod(java.util.UUID.class, "randomUUID")
        .orShould().callMethod(Math.class, "random")
        .orShould().callMethod(java.time.Instant.class, "now")
        .orShould().callMethod(java.time.LocalDateTime.class, "now")
        .orShould().callMethod(java.time.OffsetDateTime.class, "now")
        .orShould().callMethod(java.time.ZonedDateTime.class, "now")
        .because("use Workflow.currentTimeMillis(), Workflow.newRandom(), Workflow.randomUUID() and Async instead")
        .check(classes);
  }

  @Test
  void workflowStateHasNoMutableStatics() {
    com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields().that().areDeclaredInClassesThat().resideInAPackage(WORKFLOWS)
        .and().areStatic()
        .should().beFinal()
        .because("a static shared between workflow instances breaks replay")
        .check(classes);
  }

  @Test
  void theRuleCatchesAViolation() {
    // Guards the guard: a class that reads the clock must be flagged.
    JavaClasses bad = new ClassFileImporter().importClasses(Violator.class);
    ArchRule rule = noClasses().should().callMethod(System.class, "currentTimeMillis");
    org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> rule.check(bad));
  }

  static final class Violator {
    long now() {
      return System.currentTimeMillis();
    }
  }
}
