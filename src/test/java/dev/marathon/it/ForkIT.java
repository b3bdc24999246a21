package dev.marathon.it;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.finish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marathon.activities.Json;
import dev.marathon.runtime.Connection;
import dev.marathon.runtime.MarathonHome;
import dev.marathon.runtime.Runs;
import dev.marathon.runtime.WorkerHost;
import dev.marathon.testing.DevServerFixture;
import dev.marathon.testing.Eventually;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.Launcher;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.TestRuns;
import dev.marathon.workflows.Budget;
import dev.marathon.workflows.RunOptions;
import dev.marathon.workflows.RunOutcome;
import dev.marathon.workflows.RunReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading a run back and going back in it, against the real dev server: {@code log}, {@code diff},
 * {@code export} on a run that compacted and continued as new; {@code fork} at turns before and
 * after a compaction, from an earlier run of the chain, and of a run that is still running;
 * {@code rewind} of a paused run and of an ended one; and bad input.
 */
class ForkIT {
  static final int TURNS = 12;
  /** Long reasoning, so the small window makes the run compact. */
  static final String PAD = " ".repeat(1) + "because ".repeat(150);

  @TempDir static Path tmp;
  static DevServerFixture server;
  static Path home;
  static Connection conn;
  static WorkerHost worker;
  static ScriptedModel model;
  /** Holds turn 7 of run "live" until released. */
  static final CountDownLatch liveRelease = new CountDownLatch(1);

  @BeforeAll
  static void start() throws Exception {
    server = new DevServerFixture(Files.createDirectories(tmp.resolve("server")), "--headless").start();
    home = Files.createDirectories(tmp.resolve("home"));
    conn = server.connect(home);
    worker = WorkerHost.start(conn.client(), new MarathonHome(home));
    model = new ScriptedModel(ForkIT::answer);
  }

  @AfterAll
  static void stop() throws Exception {
    model.close();
    worker.close();
    conn.close();
    server.close();
  }

  static String reasoning(int turn) {
    return "r-" + turn + " thinking about step " + turn + PAD;
  }

  /** Original runs write one line per turn; forks read the file, then finish. */
  static Reply answer(int turn, JsonNode req) {
    String run = ScriptedModel.run();
    if (run.startsWith("f-")) {
      boolean looked = false;
      for (JsonNode m : req.path("messages")) if (m.path("reasoning_content").asText("").equals("fork looks")) looked = true;
      return looked ? Reply.tools("fork done", finish("the fork read the file")) : Reply.tools("fork looks", bash("cat log.txt"));
    }
    if (run.equals("live") && turn == 7) await(liveRelease);
    return turn < TURNS ? Reply.tools(reasoning(turn), bash("echo " + turn + " >> log.txt")) : Reply.tools("done", finish("wrote " + (TURNS - 1) + " lines"));
  }

  static void await(CountDownLatch latch) {
    try {
      latch.await(120, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static Runs runs() {
    return new Runs(conn.client());
  }

  static void startRun(String id, long window, int continueAsNewEvents) throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo-" + id), Map.of("README.md", "# " + id + "\n"));
    runs().start(TestRuns.state(id, repo, TestRuns.model(model.baseUrl(), window), "Write lines",
        new RunOptions(600, 3600, 10, continueAsNewEvents, 80), Budget.UNLIMITED));
  }

  static RunReport result(String id) {
    return Eventually.get(() -> runs().describe(id).getStatus().name().endsWith("COMPLETED") ? runs().result(id) : null,
        Duration.ofSeconds(180), id + " completing");
  }

  static Launcher.Result cli(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--address", server.address()));
    return Launcher.run(home, Map.of(), 180, all.toArray(new String[0]));
  }

  static String lines(int from, int to) {
    return IntStream.rangeClosed(from, to).mapToObj(Integer::toString).collect(Collectors.joining("\n"));
  }

  static Path repo(String id) {
    return tmp.resolve("repo-" + id);
  }

  /** The messages of the answered request of {@code run}'s turn {@code turn}. */
  static JsonNode request(String run, int turn) {
    return model.requests().stream()
        .filter(s -> s.status() == 200 && s.turn() == turn && run.equals(s.headers().get("X-marathon-run") == null ? null
            : s.headers().get("X-marathon-run").get(0)))
        .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no request of " + run + " turn " + turn)).body().path("messages");
  }

  @Test
  void logDiffExportAndForksOfARunThatCompactedAndContinuedAsNew() throws Exception {
    startRun("orig", 4_000, 40);
    RunReport orig = result("orig");
    assertEquals(RunOutcome.FINISHED, orig.outcome());
    assertTrue(orig.progress().runsInChain() > 2, "continued as new: " + orig.progress().runsInChain());
    assertTrue(orig.progress().compactions() >= 1, "compacted: " + orig.progress().compactions());

    Launcher.Result json = cli("log", "orig", "--json");
    assertEquals(0, json.exit(), json.toString());
    JsonNode turns = Json.MAPPER.readTree(json.out());
    assertEquals(TURNS, turns.size());
    int compactedBefore = -1;
    for (JsonNode t : turns) {
      int k = t.path("turn").asInt();
      assertEquals(k < TURNS ? reasoning(k) : "done", t.path("reasoning").asText(), "turn " + k + "'s reasoning, verbatim, compacted or not");
      if (compactedBefore < 0 && t.has("compactedBefore")) compactedBefore = k;
    }
    assertTrue(compactedBefore > 1, "a compaction is in the transcript: " + json.out().substring(0, 400));
    assertEquals("echo 3 >> log.txt", Json.MAPPER.readTree(turns.get(2).path("toolCalls").get(0).path("arguments").asText()).path("command").asText());
    Launcher.Result log = cli("log", "orig", "--turns", "2..4");
    assertTrue(log.out().contains("── turn 2") && log.out().contains("── turn 4") && !log.out().contains("── turn 5"), log.out());
    assertTrue(log.out().contains("→ bash {\"command\":\"echo 3 >> log.txt\"}"), log.out());

    Launcher.Result diff = cli("diff", "orig", "--turn", "3");
    assertEquals(0, diff.exit(), diff.toString());
    assertTrue(diff.out().contains("+3") && !diff.out().contains("+4"), diff.out());
    Launcher.Result whole = cli("diff", "orig");
    assertTrue(whole.out().contains("+" + (TURNS - 1)) && whole.out().contains("+1\n"), whole.out());
    // ./marathon diff ID | git apply: the whole patch, final newline included, applies where the run began.
    Path patch = Files.writeString(tmp.resolve("orig.patch"), whole.out());
    GitRepos.git(repo("orig"), "apply", "--check", patch.toString());

    Path file = tmp.resolve("orig.jsonl");
    Launcher.Result export = cli("export", "orig", "--out", file.toString());
    assertEquals(0, export.exit(), export.toString());
    List<String> exported = Files.readAllLines(file);
    assertEquals(TURNS + 1, exported.size());
    assertEquals("marathon-trajectory/1", Json.MAPPER.readTree(exported.get(0)).path("format").asText());

    // A fork before any compaction, from the first run of the chain: every earlier reasoning, and the message.
    Launcher.Result fork = cli("fork", "orig", "--turn", "2", "--id", "f-early", "--message", "try another way", "--detach");
    assertEquals(0, fork.exit(), fork.toString());
    assertEquals(RunOutcome.FINISHED, result("f-early").outcome());
    JsonNode first = request("f-early", 3);
    List<String> sent = new ArrayList<>();
    for (JsonNode m : first) if (m.path("role").asText().equals("assistant")) sent.add(m.path("reasoning_content").asText());
    assertEquals(List.of(reasoning(1), reasoning(2)), sent);
    assertTrue(ScriptedModel.newUserText(wrap(first)).contains("try another way"), first.toString());
    assertEquals(lines(1, 2), GitRepos.git(repo("orig"), "show", "marathon/f-early:log.txt").strip(), "exactly the effects of turns 1..2");
    JsonNode afterCat = request("f-early", 4);
    String cat = afterCat.get(afterCat.size() - 1).path("content").asText();
    assertTrue(cat.contains("1\n2") && !cat.contains("\n3"), "the fork's cat saw turns 1..2 only: " + cat);

    // A fork right after the turn a compaction followed: the conversation exactly as the next turn saw it.
    int n = compactedBefore - 1;
    assertEquals(0, cli("fork", "orig", "--turn", Integer.toString(n), "--id", "f-late", "--detach").exit());
    assertEquals(RunOutcome.FINISHED, result("f-late").outcome());
    assertEquals(request("orig", n + 1), request("f-late", n + 1), "the fork's first request is the original's turn " + (n + 1));
    assertEquals(lines(1, n), GitRepos.git(repo("orig"), "show", "marathon/f-late:log.txt").strip());
    assertEquals(lines(1, TURNS - 1), GitRepos.git(repo("orig"), "show", "marathon/orig:log.txt").strip(), "the original is untouched");
  }

  private static JsonNode wrap(JsonNode messages) {
    return Json.MAPPER.createObjectNode().set("messages", messages);
  }

  @Test
  void aRunningRunCanBeForkedAndAPausedOneRewound() throws Exception {
    startRun("live", 200_000, 4000);
    Eventually.get(() -> model.arrivals().contains(7) && runs().progress("live").turn() >= 6 ? true : null, Duration.ofSeconds(120), "live at turn 7");
    assertEquals(0, cli("fork", "live", "--turn", "3", "--id", "f-live", "--detach").exit());
    assertEquals(RunOutcome.FINISHED, result("f-live").outcome());
    assertEquals(lines(1, 3), GitRepos.git(repo("live"), "show", "marathon/f-live:log.txt").strip());
    assertEquals("running", Runs.statusName(runs().describe("live").getStatus()), "the original runs on");

    Launcher.Result refused = cli("rewind", "live", "--turn", "2");
    assertEquals(2, refused.exit(), refused.toString());
    assertTrue(refused.err().contains("pause it first"), refused.toString());

    assertEquals(0, cli("pause", "live").exit());
    liveRelease.countDown();
    // Waiting at the boundary, turn 7 done: the pause is recorded at once, while turn 7 is still in flight.
    Eventually.get(() -> "paused".equals(runs().progress("live").phase()) ? true : null, Duration.ofSeconds(60), "live paused");
    int pausedAt = runs().progress("live").turn();
    Launcher.Result rewind = cli("rewind", "live", "--turn", "2");
    assertEquals(0, rewind.exit(), rewind.toString());
    assertTrue(rewind.err().contains("kept on branch marathon-rewound/live/1"), rewind.toString());
    RunReport report = result("live");
    assertEquals(RunOutcome.FINISHED, report.outcome());
    assertEquals(lines(1, TURNS - 1), GitRepos.git(repo("live"), "show", "marathon/live:log.txt").strip(),
        "turns 3.. were done again, once, after the rewind");
    assertEquals(lines(1, pausedAt), GitRepos.git(repo("live"), "show", "marathon-rewound/live/1:log.txt").strip(),
        "the work the rewind went back over is kept");

    // An ended run rewound: its worker keeps the work on the next kept branch and puts the run's
    // branch back before the run goes on again (the CLI writes nothing in the repository).
    Launcher.Result ended = cli("rewind", "live", "--turn", "9", "--detach");
    assertEquals(0, ended.exit(), ended.toString());
    assertTrue(ended.err().contains("kept on branch marathon-rewound/live/2"), ended.toString());
    assertEquals(RunOutcome.FINISHED, result("live").outcome());
    assertEquals(lines(1, TURNS - 1), GitRepos.git(repo("live"), "show", "marathon-rewound/live/2:log.txt").strip(),
        "the ended run's work is kept");
    assertEquals(lines(1, TURNS - 1), GitRepos.git(repo("live"), "show", "marathon/live:log.txt").strip(),
        "turns 10.. were done again, once, on the turn-9 workspace");
    assertTrue(runs().typed("live").state().recent.stream().anyMatch(a -> a.line().contains("kept the work gone back over on marathon-rewound/live/2")),
        "the worker kept it, as a step of the run");
  }

  @Test
  void badInputIsRefusedClearly() throws Exception {
    Launcher.Result unknown = cli("log", "no-such-run");
    assertEquals(2, unknown.exit(), unknown.toString());
    startRun("small", 200_000, 4000);
    assertEquals(RunOutcome.FINISHED, result("small").outcome());
    int events = conn.client().fetchHistory("small").getEvents().size();
    Launcher.Result outside = cli("fork", "small", "--turn", "99");
    assertEquals(2, outside.exit(), outside.toString());
    assertTrue(outside.err().contains("turn 99 is outside run small's turns 1.." + TURNS), outside.toString());
    Launcher.Result zero = cli("diff", "small", "--turn", "0");
    assertEquals(2, zero.exit(), zero.toString());
    Launcher.Result range = cli("log", "small", "--turns", "5..x");
    assertEquals(2, range.exit(), range.toString());
    assertTrue(range.err().contains("--turns takes A..B"), range.toString());
    assertEquals(events, conn.client().fetchHistory("small").getEvents().size(), "the refused commands did nothing to the run");
    assertEquals("marathon/small", GitRepos.git(repo("small"), "branch", "--list", "marathon*"), "no fork was started");

    // gc removes an ended run's workspace, snapshots included: diff says so (it said "cannot run git").
    deleteTree(home.resolve("workspaces/small.marathon"));
    deleteTree(home.resolve("workspaces/small"));
    Launcher.Result collected = cli("diff", "small");
    assertEquals(2, collected.exit(), collected.toString());
    assertTrue(collected.err().contains("run small's snapshots are not on this machine") && collected.err().contains("./marathon gc"),
        collected.toString());
  }

  static void deleteTree(Path p) throws java.io.IOException {
    if (!Files.exists(p)) return;
    try (var walk = Files.walk(p)) {
      for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(f);
    }
  }
}
