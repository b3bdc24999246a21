package dev.marathon.activities.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every {@link CheckpointStore} backend must do, runnable against any of them: a backend's
 * test extends this class and supplies a fresh store and two hooks that reach past the contract
 * (damage an object, count objects), since the contract itself offers neither.
 *
 * <p>Runs may move between machines and activities are retried on any worker, so a store is only
 * usable if a put is idempotent and race-free and a get returns exactly what was put or fails
 * loudly. A second backend (a shared one, e.g. PostgreSQL) passes this before anything uses it.
 *
 * @param <S> the backend, so the hooks can use what it offers beyond the contract
 */
public abstract class CheckpointStoreContract<S extends CheckpointStore> {
  /** An empty store, not shared with any other test. */
  protected abstract S newStore() throws Exception;

  /** Changes the stored bytes of {@code ref} behind the store's back, as a bad disk would. */
  protected abstract void damage(S store, String ref) throws Exception;

  /** How many objects the store holds, counted by the backend's own means. */
  protected abstract long objectCount(S store) throws Exception;

  static final String HELLO_SHA256 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
  static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void putReturnsTheSha256OfTheContentAsItsRef() throws Exception {
    S store = newStore();
    assertEquals(HELLO_SHA256, store.put("hello".getBytes(StandardCharsets.UTF_8)));
    assertEquals(HELLO_SHA256, store.putText("hello"));
    byte[] binary = randomBytes(1000, 1);
    String ref = store.put(binary);
    assertEquals(CheckpointStore.hash(binary), ref);
    assertTrue(CheckpointStore.isRef(ref));
  }

  @Test
  void storingTheSameContentTwiceStoresOneObject() throws Exception {
    S store = newStore();
    String first = store.putText("hello");
    String second = store.putText("hello");
    assertEquals(first, second);
    assertEquals(1, objectCount(store));
    store.putText("another");
    assertEquals(2, objectCount(store));
  }

  @Test
  void emptyContentRoundTrips() throws Exception {
    S store = newStore();
    String ref = store.put(new byte[0]);
    assertEquals(EMPTY_SHA256, ref);
    assertArrayEquals(new byte[0], store.get(ref));
    assertEquals("", store.getText(ref));
  }

  @Test
  void binaryContentRoundTripsByteForByte() throws Exception {
    S store = newStore();
    byte[] every = new byte[512];
    for (int i = 0; i < every.length; i++) every[i] = (byte) i;
    assertArrayEquals(every, store.get(store.put(every)));
  }

  @Test
  void textRoundTripsAsUtf8() throws Exception {
    S store = newStore();
    String text = "naïve — 思考 🧠\n\0end";
    String ref = store.putText(text);
    assertEquals(CheckpointStore.hash(text.getBytes(StandardCharsets.UTF_8)), ref);
    assertEquals(text, store.getText(ref));
  }

  @Test
  void largeContentRoundTrips() throws Exception {
    S store = newStore();
    byte[] big = randomBytes(5 * 1024 * 1024, 5);
    String ref = store.put(big);
    assertArrayEquals(big, store.get(ref));
  }

  @Test
  void containsTellsStoredFromUnknown() throws Exception {
    S store = newStore();
    String ref = store.putText("here");
    assertTrue(store.contains(ref));
    assertFalse(store.contains(CheckpointStore.hash("not here".getBytes(StandardCharsets.UTF_8))));
    assertFalse(store.contains("../../etc/passwd"), "a malformed ref is simply not there");
    assertFalse(store.contains(null));
  }

  @Test
  void gettingAnUnknownRefSaysWhichObjectIsMissing() throws Exception {
    S store = newStore();
    store.putText("something else");
    String unknown = "0".repeat(64);
    MissingObjectException e = assertThrows(MissingObjectException.class, () -> store.get(unknown));
    assertTrue(e.getMessage().contains(unknown), e.getMessage());
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"", "../../etc/passwd", "2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824",
      "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982", "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b98240",
      "zzf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"})
  void gettingAMalformedRefIsRefusedBeforeTheStoreIsTouched(String malformed) throws Exception {
    S store = newStore();
    store.putText("hello");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.get(malformed));
    assertTrue(e.getMessage().contains(String.valueOf(malformed)), "names what it was given: " + e.getMessage());
  }

  @Test
  void aDamagedObjectIsReportedNeverTrusted() throws Exception {
    S store = newStore();
    String healthy = store.putText("healthy");
    String ref = store.putText("the original");
    damage(store, ref);
    CorruptObjectException e = assertThrows(CorruptObjectException.class, () -> store.get(ref));
    assertTrue(e.getMessage().contains(ref), e.getMessage());
    assertEquals(List.of(ref), store.verify());
    assertEquals("healthy", store.getText(healthy), "the damage is confined to its object");
  }

  @Test
  void aHealthyStoreVerifiesClean() throws Exception {
    S store = newStore();
    assertEquals(List.of(), store.verify());
    for (int i = 0; i < 20; i++) store.putText("object " + i);
    assertEquals(List.of(), store.verify());
  }

  @Test
  void concurrentPutsOfTheSameContentAllSucceedWithOneObject() throws Exception {
    S store = newStore();
    byte[] content = randomBytes(1 << 20, 8);
    int writers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<String>> puts = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        Callable<String> put = () -> {
          start.await();
          return store.put(content);
        };
        puts.add(pool.submit(put));
      }
      start.countDown();
      for (Future<String> put : puts) assertEquals(CheckpointStore.hash(content), put.get(60, TimeUnit.SECONDS));
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, objectCount(store));
    assertArrayEquals(content, store.get(CheckpointStore.hash(content)));
    assertEquals(List.of(), store.verify());
  }

  @Test
  void aNameIsBoundOnceByTheFirstBinderAndForever() throws Exception {
    S store = newStore();
    String first = store.putText("first");
    String second = store.putText("second");
    assertNull(store.bound("snapshot/0123abcd"));
    assertEquals(first, store.bind("snapshot/0123abcd", first));
    assertEquals(first, store.bind("snapshot/0123abcd", first), "a retry binding the same ref is fine");
    assertEquals(first, store.bind("snapshot/0123abcd", second), "a later binding does not replace the first");
    assertEquals(first, store.bound("snapshot/0123abcd"));
    assertNull(store.bound("snapshot/0123abce"), "names are exact");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "has space", "new\nline", "caf\u00e9"})
  void aMalformedNameIsRefused(String name) throws Exception {
    S store = newStore();
    String ref = store.putText("x");
    assertThrows(IllegalArgumentException.class, () -> store.bind(name, ref));
    assertThrows(IllegalArgumentException.class, () -> store.bound(name));
    assertThrows(IllegalArgumentException.class, () -> store.bind("x".repeat(CheckpointStore.MAX_NAME + 1), ref));
    assertThrows(IllegalArgumentException.class, () -> store.bind("ok", "not-a-ref"));
  }

  @Test
  void concurrentBindingsOfOneNameAgreeOnOneRef() throws Exception {
    S store = newStore();
    int writers = 8;
    List<String> refs = new ArrayList<>();
    for (int i = 0; i < writers; i++) refs.add(store.putText("candidate " + i));
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<String>> binds = new ArrayList<>();
      for (String ref : refs) {
        binds.add(pool.submit(() -> {
          start.await();
          return store.bind("raced/name", ref);
        }));
      }
      start.countDown();
      List<String> told = new ArrayList<>();
      for (Future<String> bind : binds) told.add(bind.get(60, TimeUnit.SECONDS));
      String winner = store.bound("raced/name");
      for (String t : told) assertEquals(winner, t, "every binder is told the one winner");
      assertTrue(refs.contains(winner));
    } finally {
      pool.shutdownNow();
    }
  }
}
