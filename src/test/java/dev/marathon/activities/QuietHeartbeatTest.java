package dev.marathon.activities;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An activity's heartbeats are dropped during its quiet start and sent after it. */
class QuietHeartbeatTest {
  @ActivityInterface
  public interface Beating {
    void beat(long pauseMillis);
  }

  public static final class BeatingImpl implements Beating {
    @Override
    public void beat(long pauseMillis) {
      QuietHeartbeat beat = new QuietHeartbeat(Activity.getExecutionContext());
      beat.beat("at once");
      try {
        Thread.sleep(pauseMillis);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      beat.beat("later");
    }
  }

  static List<String> beats(Duration heartbeatTimeout, long pauseMillis) {
    TestActivityEnvironment env = TestActivityEnvironment.newInstance();
    try {
      List<String> seen = Collections.synchronizedList(new ArrayList<>());
      env.setActivityHeartbeatListener(String.class, seen::add);
      env.registerActivitiesImplementations(new BeatingImpl());
      env.newActivityStub(Beating.class, ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofMinutes(1))
          .setHeartbeatTimeout(heartbeatTimeout).build()).beat(pauseMillis);
      return List.copyOf(seen);
    } finally {
      env.close();
    }
  }

  @Test
  void aHeartbeatInTheFirstSecondIsNotSentOneAfterItIs() {
    assertEquals(List.of("later"), beats(Duration.ofSeconds(10), 1_100));
    assertEquals(List.of(), beats(Duration.ofSeconds(10), 300), "an activity over within its first second sends none");
  }

  @Test
  void aShortHeartbeatTimeoutShortensTheQuietStartToAQuarterOfIt() {
    assertEquals(List.of("later"), beats(Duration.ofSeconds(2), 600));
  }
}
