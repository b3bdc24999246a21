package dev.marathon.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds the model's answer for chosen turns until the test opens the gate, so a test can act
 * while a model call is in flight ("the agent is thinking about turn 3 right now").
 */
public final class Gate implements ScriptedModel.Script {
  private final ScriptedModel.Script inner;
  private final Map<Integer, CountDownLatch> closed = new ConcurrentHashMap<>();
  private final Map<Integer, CountDownLatch> reached = new ConcurrentHashMap<>();

  public Gate(ScriptedModel.Script inner) {
    this.inner = inner;
  }

  /** The answer for {@code turn} waits until {@link #open}. */
  public Gate close(int turn) {
    closed.put(turn, new CountDownLatch(1));
    reached.put(turn, new CountDownLatch(1));
    return this;
  }

  public void open(int turn) {
    closed.get(turn).countDown();
  }

  /** Waits until the model has been asked for {@code turn} (and is held at the gate). */
  public void awaitReached(int turn) throws InterruptedException {
    if (!reached.get(turn).await(120, TimeUnit.SECONDS)) throw new AssertionError("turn " + turn + " never reached the gate");
  }

  @Override
  public ScriptedModel.Reply reply(int turn, JsonNode request) {
    CountDownLatch gate = closed.get(turn);
    if (gate != null) {
      reached.get(turn).countDown();
      try {
        if (!gate.await(300, TimeUnit.SECONDS)) throw new IllegalStateException("gate for turn " + turn + " never opened");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return inner.reply(turn, request);
  }
}
