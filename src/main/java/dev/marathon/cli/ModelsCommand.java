package dev.marathon.cli;

import dev.marathon.runtime.MarathonHome;
import dev.marathon.runtime.ModelPresets;
import dev.marathon.runtime.ModelPresets.Preset;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "models", mixinStandardHelpOptions = true, description = {"List the model presets, and which have a key.",
    "A run picks one with --provider NAME, or by its --model name; the config files override them",
    "($MARATHON_HOME/config.json, then the repository's .marathon/config.json)."})
final class ModelsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--repo", paramLabel = "DIR", description = "Also apply this repository's .marathon/config.json.")
  Path repo;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    MarathonHome home = MarathonHome.fromEnvironment();
    if (repo != null && !Files.isDirectory(OptionChecks.notEmpty("--repo", repo))) {
      throw new BadInputException("--repo " + repo + " is not a directory");
    }
    ModelPresets presets = ModelOptions.presets(repo);
    out.printf("%-9s %-22s %-34s %-28s %9s%n", "PRESET", "MODEL", "BASE URL", "KEY", "CONTEXT");
    for (Preset p : presets.all()) {
      out.printf(Locale.ROOT, "%-9s %-22s %-34s %-28s %,9d%n", p.name(), p.model(), p.baseUrl(), key(p, home), p.contextWindow());
      out.println("          " + p.about());
    }
    if (Files.exists(home.config())) out.println("\nconfig: " + home.config());
    out.flush();
    return ExitCodes.OK;
  }

  private static String key(Preset p, MarathonHome home) {
    if (p.local()) return Files.exists(home.models().resolve(dev.marathon.activities.model.local.LocalWeights.FILE))
        ? "none needed (installed)" : "none needed";
    if (p.keyEnv() == null) return "none needed";
    String v = System.getenv(p.keyEnv());
    return p.keyEnv() + (v != null && !v.isBlank() ? " (set)" : " (not set)");
  }
}
