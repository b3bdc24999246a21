package dev.marathon.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.protobuf.ByteString;
import dev.marathon.activities.Json;
import dev.marathon.runtime.DataConverters;
import dev.marathon.workflows.api.ToolBatch;
import dev.marathon.workflows.api.ToolInput;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A containment is whole wherever it is read: payloads of runs started before it (or before some
 * of its parts) existed carry nulls, and the records fill in the default, so no caller has to.
 */
class ContainmentTest {
  static final DataConverter CONVERTER = DataConverters.marathon();

  static <T> T read(String json, Class<T> type) {
    Payload p = Payload.newBuilder().putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
        .setData(ByteString.copyFromUtf8(json)).build();
    return CONVERTER.fromPayload(p, type, type);
  }

  @Test
  void partsLeftOutAreTheDefault() throws Exception {
    assertEquals(Containment.DEFAULT, read("{}", Containment.class));
    assertEquals(Containment.DEFAULT, read("{\"sandbox\":null,\"network\":null,\"passEnv\":null}", Containment.class));
    Containment offline = read("{\"sandbox\":true,\"network\":false,\"passEnv\":[\"CI\"]}", Containment.class);
    assertEquals(new Containment(true, false, List.of("CI"), false, List.of()), offline);
    assertEquals("bubblewrap sandbox, network off", offline.describe());
    assertEquals(java.util.List.of("--pass-env CI"), offline.loosenings(), "passing a variable is a loosening a worker must allow");
    assertEquals(Containment.DEFAULT, Json.MAPPER.readValue("{\"networkOpen\":null}", Containment.class), "the activities' mapper too");
    assertEquals(Containment.DEFAULT, new Containment(null, null, null, null, null));
  }

  @Test
  void aRunOrACallThatCarriesNoneGetsTheDefault() {
    RunOptions options = read("{\"defaultCommandSeconds\":600,\"maxCommandSeconds\":3600,\"heartbeatSeconds\":10,"
        + "\"continueAsNewEvents\":4000,\"compactAtPercent\":80}", RunOptions.class);
    assertEquals(Containment.DEFAULT, options.containment());
    assertEquals(Containment.DEFAULT, read("{\"stepId\":\"1.1\",\"commandSeconds\":60}", ToolInput.class).containment());
    ToolBatch batch = read("{\"turn\":1,\"firstIndex\":0,\"calls\":[],\"commandSeconds\":[]}", ToolBatch.class);
    assertEquals(Containment.DEFAULT, batch.containment());
  }

  @Test
  void whatARunAsksForIsKept() {
    Containment unsandboxed = new Containment(false, true, List.of());
    assertEquals(java.util.List.of("--sandbox off"), unsandboxed.loosenings());
    Containment open = new Containment(true, true, List.of(), true, List.of());
    assertEquals(java.util.List.of("--network open"), open.loosenings());
    assertEquals(open, read("{\"sandbox\":true,\"network\":true,\"networkOpen\":true}", Containment.class));
    assertEquals(unsandboxed, RunOptions.DEFAULTS.withContainment(unsandboxed).containment());
  }
}
