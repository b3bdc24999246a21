package dev.marathon.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The seams between the activities' packages: the tools know a workspace only through their
 * {@code ToolContext} (so a workspace of another kind needs no tool to change), the workspace
 * knows nothing of the tools, and killing processes is a leaf both use.
 */
class PackageLayeringTest {
  static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.marathon");
  }

  @Test
  void toolsDoNotDependOnTheWorkspace() {
    noClasses().that().resideInAPackage("dev.marathon.activities.tools..")
        .should().dependOnClassesThat().resideInAPackage("dev.marathon.activities.workspace..")
        .because("a tool gets its work tree, home, environment, sandbox and file listing in its ToolContext")
        .check(classes);
  }

  @Test
  void theWorkspaceDoesNotDependOnTheTools() {
    noClasses().that().resideInAPackage("dev.marathon.activities.workspace..")
        .should().dependOnClassesThat().resideInAPackage("dev.marathon.activities.tools..")
        .because("the tool activity puts the two together")
        .check(classes);
  }

  @Test
  void processControlIsALeaf() {
    noClasses().that().resideInAPackage("dev.marathon.activities.process..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.marathon.activities", "dev.marathon.activities.tools..",
            "dev.marathon.activities.workspace..", "dev.marathon.activities.sandbox..", "dev.marathon.runtime..", "dev.marathon.cli..")
        .because("the tools and the workspace both kill processes, and neither may come back in through it")
        .check(classes);
  }
}
