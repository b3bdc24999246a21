package dev.marathon.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.testing.Launcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-time installs take a lock: four first commands started at once on a fresh machine wait
 * for one build instead of starting four (as happened with the Temporal CLI, and one timed out).
 * A stand-in {@code go} on the PATH records each build and takes a while, as the real one does.
 */
class InstallLockTest {
  @TempDir Path tmp;

  Path fakeGo() throws Exception {
    Path bin = Files.createDirectories(tmp.resolve("fake-bin"));
    Path modcache = tmp.resolve("modcache/go.temporal.io/server@v1.29.1/schema/postgresql/v12/temporal/versioned");
    Files.createDirectories(modcache);
    Path go = bin.resolve("go");
    Files.writeString(go, """
        #!/usr/bin/env bash
        if [ "$1" = env ]; then echo "%s"; exit 0; fi
        echo "build $*" >> "%s"
        sleep 2
        name="$(basename "${@: -1}")"; name="${name%%@*}"
        printf '#!/bin/sh\\necho fake %%s\\n' "$name" > "$GOBIN/$name"
        chmod +x "$GOBIN/$name"
        """.formatted(tmp.resolve("modcache"), tmp.resolve("builds.log")));
    Files.setPosixFilePermissions(go, PosixFilePermissions.fromString("rwxr-xr-x"));
    return bin;
  }

  List<Process> startFour(String script, Path fakeBin) throws Exception {
    List<Process> all = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ProcessBuilder pb = new ProcessBuilder(Launcher.root().resolve("scripts/" + script).toString()).redirectErrorStream(true);
      pb.environment().put("MARATHON_HOME", tmp.resolve("home").toString());
      pb.environment().put("PATH", fakeBin + ":" + System.getenv("PATH"));
      pb.environment().remove("MARATHON_TEMPORAL_BIN");
      pb.redirectOutput(tmp.resolve(script + "-" + i + ".log").toFile());
      all.add(pb.start());
    }
    return all;
  }

  void allSucceed(List<Process> all, String script) throws Exception {
    for (int i = 0; i < all.size(); i++) {
      assertTrue(all.get(i).waitFor(120, TimeUnit.SECONDS), script + " hung");
      assertEquals(0, all.get(i).exitValue(), Files.readString(tmp.resolve(script + "-" + i + ".log")));
    }
  }

  @Test
  void fourTemporalCliInstallsAtOnceBuildOnce() throws Exception {
    List<Process> all = startFour("install-temporal-cli", fakeGo());
    allSucceed(all, "install-temporal-cli");
    assertEquals(1, Files.readAllLines(tmp.resolve("builds.log")).size(), Files.readString(tmp.resolve("builds.log")));
    assertTrue(Files.isExecutable(tmp.resolve("home/bin/temporal")));
  }

  @Test
  void fourTemporalServerInstallsAtOnceBuildOnce() throws Exception {
    List<Process> all = startFour("install-temporal-server", fakeGo());
    allSucceed(all, "install-temporal-server");
    List<String> builds = Files.readAllLines(tmp.resolve("builds.log"));
    assertEquals(3, builds.size(), "the server, the SQL tool and the UI server, once each: " + builds);
    assertTrue(Files.isExecutable(tmp.resolve("home/bin/temporal-server")));
    assertTrue(Files.isDirectory(tmp.resolve("home/temporal-server/schema/postgresql/v12/temporal/versioned")));
  }
}
