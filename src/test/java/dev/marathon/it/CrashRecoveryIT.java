package dev.marathon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.activities.Json;
import dev.marathon.activities.store.CheckpointStore;
import dev.marathon.runtime.Connection;
import dev.marathon.runtime.MarathonHome;
import dev.marathon.runtime.Runs;
import dev.marathon.testing.CrashScript;
import dev.marathon.testing.DevServerFixture;
import dev.marathon.testing.Eventually;
import dev.marathon.testing.Gate;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.Launcher;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.TestRuns;
import dev.marathon.testing.WorkerProcess;
import dev.marathon.workflows.Budget;
import dev.marathon.workflows.RunOptions;
import dev.marathon.workflows.RunOutcome;
import dev.marathon.workflows.RunReport;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 against the real thing: worker processes ({@code ./marathon worker}) and the real
 * Temporal dev server with SQLite, on real git repositories, with a scripted model over HTTP.
 * After every crash the run must end exactly like an uninterrupted run of the same script: same
 * branch tree, every tool effect once, all earlier reasoning sent back verbatim, a healthy store.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrashRecoveryIT {
  static final int TURNS = 24;
  static final int LONG_TOOL = 5;
  static final int LATE_EFFECT = 9;
  static final int SLOW_THINKING = 14;
  static final RunOptions OPTIONS = new RunOptions(600, 3600, 5, 4000, 80);

  @TempDir static Path tmp;
  static DevServerFixture server;
  static Path home;
  static String baselineTree;

  @BeforeAll
  static void start() throws Exception {
    server = new DevServerFixture(Files.createDirectories(tmp.resolve("server")), "--headless").start();
    home = Files.createDirectories(tmp.resolve("home"));
    // What every interrupted run must end with: the branch of the same script, run uninterrupted.
    try (Scenario s = new CrashRecoveryIT().new Scenario("baseline")) {
      s.finishAndVerify();
      baselineTree = GitRepos.git(s.repo, "rev-parse", "marathon/baseline^{tree}");
    }
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static CrashScript script() {
    return new CrashScript(TURNS, Set.of(LONG_TOOL), Set.of(LATE_EFFECT), Set.of(SLOW_THINKING));
  }

  /** One run of the crash script, with a chaos monkey acting while it goes. */
  final class Scenario implements AutoCloseable {
    final String id;
    final Path repo;
    final ScriptedModel model;
    final CrashScript script = script();
    final Gate gate = new Gate(script);
    WorkerProcess worker;
    int workers;

    Scenario(String id) throws Exception {
      this(id, 0);
    }

    /** @param holdAt a turn whose answer waits until {@code gate.open(holdAt)}, or 0 */
    Scenario(String id, int holdAt) throws Exception {
      this.id = id;
      this.repo = GitRepos.create(tmp.resolve("repo-" + id), Map.of("README.md", "# crash test\n", "counter.txt", ""));
      if (holdAt > 0) gate.close(holdAt);
      this.model = new ScriptedModel(gate);
      try (Connection c = connect()) {
        new Runs(c.client()).start(TestRuns.state(id, repo, TestRuns.model(model.baseUrl(), 200_000), "Survive crashes", OPTIONS, Budget.UNLIMITED));
      }
      startWorker();
    }

    void startWorker() throws Exception {
      worker = WorkerProcess.start(home, server.address(), tmp.resolve("worker-" + id + "-" + (++workers) + ".log"));
    }

    /** Waits until the model has been asked for {@code turn} (the run is at that point). */
    void awaitTurn(int turn) {
      Eventually.get(() -> model.arrivals().contains(turn) ? true : null,
          Duration.ofSeconds(120), id + " reaching turn " + turn);
    }

    Path workspace() {
      return home.resolve("workspaces").resolve(id);
    }

    /** Waits for the end (riding out server restarts) and checks everything an uninterrupted run would show. */
    RunReport finishAndVerify() throws Exception {
      RunReport report = Eventually.get(() -> {
        try (Connection c = connect()) {
          Runs runs = new Runs(c.client());
          return runs.describe(id).getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED ? runs.result(id) : null;
        }
      }, Duration.ofSeconds(240), id + " finishing");
      assertEquals(RunOutcome.FINISHED, report.outcome(), report.toString());
      assertEquals(TURNS, report.progress().turn());
      assertEquals(script.expectedCounter(), GitRepos.git(repo, "show", "marathon/" + id + ":counter.txt") + "\n",
          "every bash step must take effect exactly once");
      assertTrue(model.violations().isEmpty(), model.violations().toString());
      assertReasoningVerbatim(model);
      assertTrue(CheckpointStore.open(new MarathonHome(home).store()).verify().isEmpty(), "corrupt objects in the store");
      String tree = GitRepos.git(repo, "rev-parse", "marathon/" + id + "^{tree}");
      if (!id.equals("baseline")) assertEquals(baselineTree, tree, "the branch differs from an uninterrupted run's");
      return report;
    }

    @Override
    public void close() throws Exception {
      if (worker != null) worker.close();
      model.close();
    }
  }

  static Connection connect() {
    return server.connect(home);
  }

  /** Every answered request for turn k carried the reasoning of turns 1..k-1, in order, verbatim. */
  static void assertReasoningVerbatim(ScriptedModel model) {
    for (ScriptedModel.Seen seen : model.requests()) {
      if (seen.status() != 200 || seen.turn() < 1) continue;
      List<String> sent = new ArrayList<>();
      for (JsonNode m : seen.body().path("messages")) {
        if (m.path("role").asText().equals("assistant")) sent.add(m.path("reasoning_content").asText());
      }
      List<String> expected = new ArrayList<>();
      for (int k = 1; k < seen.turn(); k++) expected.add(CrashScript.reasoning(k));
      assertEquals(expected, sent, "reasoning sent with turn " + seen.turn());
    }
  }

  @Test
  @Order(2)
  void workerKilledDuringAModelCallResumesOnAFreshWorker() throws Exception {
    try (Scenario s = new Scenario("kill-think")) {
      s.awaitTurn(SLOW_THINKING); // the model is thinking (slowly) right now
      s.worker.kill9();
      s.startWorker();
      s.finishAndVerify();
      long asked = s.model.requests().stream().filter(r -> r.turn() == SLOW_THINKING).count();
      assertEquals(2, asked, "the interrupted turn is asked again, once");
    }
  }

  @Test
  @Order(3)
  void workerKilledDuringLongToolsRunsEachStepExactlyOnce() throws Exception {
    try (Scenario s = new Scenario("kill-tool")) {
      Path counter = s.workspace().resolve("counter.txt");
      Eventually.get(() -> read(counter).contains("step-" + LONG_TOOL) ? true : null, Duration.ofSeconds(120), "long tool started");
      s.worker.kill9(); // mid "echo step-5 >> counter.txt; sleep 8": the effect is already there
      s.startWorker();
      Eventually.get(() -> s.model.requests().stream().anyMatch(r -> r.turn() == LATE_EFFECT) ? true : null,
          Duration.ofSeconds(120), "the late-effect turn answered");
      // "sleep 2; echo late >> counter": killed before its effect; the orphan would add it later
      Eventually.get(() -> commandRunning(s.workspace(), "echo late-" + LATE_EFFECT) ? true : null,
          Duration.ofSeconds(60), "the late-effect command running");
      assertFalse(read(counter).contains("late-" + LATE_EFFECT), "the kill must land before the command's effect: " + read(counter));
      s.worker.kill9();
      s.startWorker();
      s.finishAndVerify();
    }
  }

  @Test
  @Order(4)
  void serverAndWorkerKilledMidRunResumeFromTheDatabase() throws Exception {
    try (Scenario s = new Scenario("kill-server")) {
      s.awaitTurn(18);
      s.worker.kill9();
      server.kill9();
      server.restart();
      Launcher.Result status = Launcher.run(home, Map.of(), 120, "status", s.id, "--json", "--address", server.address());
      assertEquals(0, status.exit(), status.toString());
      JsonNode json = Json.MAPPER.readTree(status.out());
      assertEquals("running", json.path("status").asText(), status.toString());
      assertTrue(json.path("turn").asInt() >= 17, status.toString());
      s.startWorker();
      s.finishAndVerify();
    }
  }

  @Test
  @Order(5)
  void randomKillPointsWithFixedSeeds() throws Exception {
    long[] seeds = {11, 23, 37, 41};
    List<String> log = new ArrayList<>();
    for (long seed : seeds) {
      Random random = new Random(seed);
      int killAt = 2 + random.nextInt(TURNS - 4);
      int delayMillis = random.nextInt(1_500);
      boolean alsoServer = random.nextDouble() < 0.4;
      // The model holds a later turn's answer, so the kill always lands in the middle of the run.
      int holdAt = killAt + 3;
      try (Scenario s = new Scenario("random-" + seed, holdAt)) {
        s.awaitTurn(killAt);
        Thread.sleep(delayMillis);
        s.worker.kill9();
        try (Connection c = connect()) {
          assertEquals(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING, new Runs(c.client()).describe(s.id).getStatus(),
              "the kill landed mid-run");
        }
        if (alsoServer) {
          server.kill9();
          server.restart();
        }
        s.startWorker();
        s.gate.open(holdAt);
        s.finishAndVerify();
        // Turns before killAt were recorded before the kill (turn killAt had been asked): the run goes on
        // from its history and asks none of them again.
        for (int k = 1; k < killAt; k++) {
          int turn = k;
          assertEquals(1, s.model.requests().stream().filter(r -> r.status() == 200 && r.turn() == turn).count(),
              "seed " + seed + ": turn " + k + ", recorded before the kill at turn " + killAt + ", was asked once");
        }
        log.add("seed " + seed + ": killed worker" + (alsoServer ? " and server" : "") + " at turn " + killAt + " +" + delayMillis + " ms: ok");
      }
    }
    log.forEach(System.out::println);
  }

  /**
   * Whether a command whose command line holds {@code text} runs in {@code workspace} now: its sandbox
   * (bubblewrap) names the workspace it binds, an unsandboxed one runs in it. Other runs of the same
   * script (another build on this machine) have other workspaces.
   */
  static boolean commandRunning(Path workspace, String text) {
    java.util.Set<String> names = new java.util.HashSet<>(List.of(workspace.toAbsolutePath().toString()));
    try {
      names.add(workspace.toRealPath().toString());
    } catch (java.io.IOException notYet) {
      return false;
    }
    try (java.util.stream.Stream<Path> procs = Files.list(Path.of("/proc"))) {
      return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).anyMatch(p -> {
        try {
          String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ');
          if (!cmdline.contains(text)) return false;
          if (names.stream().anyMatch(cmdline::contains)) return true;
          return names.contains(Files.readSymbolicLink(p.resolve("cwd")).toString());
        } catch (java.io.IOException | SecurityException gone) {
          return false;
        }
      });
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (java.io.IOException e) {
      return "";
    }
  }
}
