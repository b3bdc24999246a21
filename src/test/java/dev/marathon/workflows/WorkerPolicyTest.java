package dev.marathon.workflows;

import static dev.marathon.testing.ScriptedModel.bash;
import static dev.marathon.testing.ScriptedModel.finish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.marathon.activities.policy.KeyBindings;
import dev.marathon.activities.policy.WorkerPolicy;
import dev.marathon.testing.Eventually;
import dev.marathon.testing.GitRepos;
import dev.marathon.testing.ScriptedModel;
import dev.marathon.testing.ScriptedModel.Reply;
import dev.marathon.testing.TestRuns;
import dev.marathon.testing.WorkflowHarness;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker acts on its operator's word, not on the run's input: the input names a key variable
 * and a URL, and a containment; anyone who reaches the Temporal server can write one.
 */
class WorkerPolicyTest {
  @TempDir Path tmp;

  @Test
  void aKeyGoesOnlyWhereTheWorkersConfigurationBindsIt() {
    KeyBindings keys = KeyBindings.of(Map.of("ZAI_API_KEY", List.of("https://api.z.ai/api/paas/v4")), "MY_KEY=gpu-box:9000;OTHER=lan");
    assertNull(keys.refusal("ZAI_API_KEY", "https://api.z.ai/api/coding/paas/v4"));
    assertNull(keys.refusal("ZAI_API_KEY", "https://API.Z.AI:443/v4"));
    assertNull(keys.refusal("MY_KEY", "http://gpu-box:9000/v1"));
    assertNull(keys.refusal("OTHER", "http://lan:1234/v1"), "a host bound without a port: any port");
    for (String[] refused : new String[][] {
        {"ZAI_API_KEY", "https://evil.example/v1"}, {"ZAI_API_KEY", "http://api.z.ai/v4"}, {"ZAI_API_KEY", "https://api.z.ai.evil.example/v4"},
        {"ZAI_API_KEY", "https://api.z.ai:8443/v4"}, {"MY_KEY", "http://gpu-box:9001/v1"}, {"AWS_SECRET_ACCESS_KEY", "https://api.z.ai/v4"},
        {"ZAI_API_KEY", "https://user:pw@api.z.ai/v4"}, {"ZAI_API_KEY", "file:///etc/passwd"},
        {"ZAI_API_KEY", "http://api.z.ai:443/v4"}}) {
      String why = keys.refusal(refused[0], refused[1]);
      assertTrue(why != null && why.contains(refused[0]) && why.contains(KeyBindings.ENV), refused[0] + " -> " + refused[1] + ": " + why);
    }
    assertNull(keys.and("MY_KEY", "http://10.0.0.5:8000/v1").refusal("MY_KEY", "http://10.0.0.5:8000/v1"), "what a run command's user typed");
  }

  @Test
  void looserContainmentOnlyWhenTheOperatorAllowedIt() {
    WorkerPolicy strict = WorkerPolicy.strict(KeyBindings.none());
    Containment off = new Containment(false, true, List.of());
    Containment open = new Containment(true, true, List.of(), true, List.of());
    assertNull(strict.refusal("r-1", Containment.DEFAULT));
    assertNull(strict.refusal("r-1", new Containment(true, false, List.of())), "network off is more contained, not less");
    assertTrue(strict.refusal("r-1", off).contains("--allow-sandbox-off"));
    assertTrue(strict.refusal("r-1", open).contains("--allow-network-open"));
    WorkerPolicy own = strict.trusting("r-1", null, null);
    assertNull(own.refusal("r-1", off), "a run command's own run");
    assertTrue(own.refusal("r-1.a7", off) != null, "an id that merely begins like it is anyone's to start");
    assertTrue(own.refusal("r-10", off) != null && own.refusal("other", open) != null, "not anyone else's");
    WorkerPolicy allowsOpen = new WorkerPolicy(false, true, false, java.util.Set.of(), KeyBindings.none());
    assertNull(allowsOpen.refusal("x", open));
    assertTrue(allowsOpen.refusal("x", off) != null, "allowing one loosening is not allowing the other");
    Containment openAndPass = new Containment(true, true, List.of("GH_DEPLOY"), true, List.of());
    assertTrue(allowsOpen.refusal("x", openAndPass).contains("--allow-pass-env"), "every loosening is checked, not the first");
    assertTrue(strict.refusal("x", new Containment(true, true, List.of("DATABASE_URL"))).contains("--pass-env DATABASE_URL"));
    for (String secret : List.of("OPENAI_KEY_PROD", "GH_PAT", "DATABASE_URL", "MY_PASSWD", "SESSION_COOKIE", "AWS_SECRET_ACCESS_KEY")) {
      assertFalse(dev.marathon.activities.sandbox.CommandEnvironment.passable(secret), secret + " looks like a secret wherever the word is");
    }
    assertTrue(dev.marathon.activities.sandbox.CommandEnvironment.passable("JAVA_OPTS"));
  }

  /** A run input pairing the test key with a host it is not bound to: the model server never hears from the worker. */
  @Test
  void aRunInputPairingAKeyWithAnotherHostPausesAndSendsNothing() throws Exception {
    Path repo = GitRepos.create(tmp.resolve("repo"), Map.of("README.md", "x\n"));
    try (ScriptedModel model = new ScriptedModel((turn, req) -> turn == 1 ? Reply.tools("ok", bash("true")) : Reply.tools("d", finish("ok")));
        WorkflowHarness h = new WorkflowHarness(tmp.resolve("home"))) {
      String elsewhere = model.baseUrl().replace("127.0.0.1", "localhost"); // the same server under a name the key is not bound to
      AgentWorkflow run = h.start(TestRuns.state("redirected-1", repo, elsewhere, "Send the key elsewhere"));
      Progress paused = Eventually.get(() -> {
        Progress p = run.progress();
        return p.pause() != null ? p : null;
      });
      assertEquals(Pause.Cause.MODEL_ERROR, paused.pause().cause());
      assertTrue(paused.pause().reason().contains("does not send MARATHON_TEST_KEY to localhost:"), paused.pause().reason());
      assertFalse(paused.pause().reason().contains(TestRuns.key()));
      assertEquals(0, model.requests().size(), "no request, so no key, reached the server");
    }
  }
}
