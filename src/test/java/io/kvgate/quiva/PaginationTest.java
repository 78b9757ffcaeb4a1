package io.kvgate.quiva;

import static io.kvgate.quiva.EntryApi.newBucket;
import static io.kvgate.quiva.EntryApi.put;
import static io.kvgate.quiva.EntryApi.rawDelete;
import static io.kvgate.quiva.EntryApi.rawGet;
import static io.kvgate.quiva.EntryApi.rawPut;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvgate.support.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * K7 paging over thousands of keys: cursors at several page sizes while keys are deleted between
 * pages, byte order of mixed key characters, and prefix with cursor.
 */
@QuarkusTest
@WithTestResource(RedisResource.class)
class PaginationTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int KEYS = 2_100;

  /** Orders keys as Redis and the contract do: by their UTF-8 bytes, unsigned. */
  static final Comparator<String> BYTE_ORDER =
      (a, b) ->
          Arrays.compareUnsigned(
              a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

  /** One page of K7, parsed. */
  record Page(List<String> keys, long total, String nextCursor) {}

  static Page page(String bucket, String prefix, String cursor, int limit) {
    StringBuilder q = new StringBuilder("/storage/kv/" + bucket + "/entries?limit=" + limit);
    if (prefix != null) {
      q.append("&prefix=").append(URLEncoder.encode(prefix, StandardCharsets.UTF_8));
    }
    if (cursor != null) {
      q.append("&cursor=").append(URLEncoder.encode(cursor, StandardCharsets.UTF_8));
    }
    HttpResponse<String> r = rawGet(q.toString());
    assertEquals(200, r.statusCode(), r.body());
    try {
      JsonNode body = MAPPER.readTree(r.body()).get("body");
      List<String> keys = new ArrayList<>();
      body.get("results").forEach(item -> keys.add(item.get("key").asText()));
      JsonNode next = body.get("next_cursor");
      return new Page(
          keys, body.get("results_total").asLong(), next.isNull() ? null : next.asText());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Keys mixing every kind of key character, so that byte order matters. */
  static List<String> mixedKeys(int n) {
    String[] shapes = {
      "k-%d", "k.%d", "k/%d", "k%d", "K%d", "k_%d", "k~%d", "a:%d", "a=%d", "a@%d", "a(%d)", "a!%d",
      "a'%d", "a*%d", "Z/%d/x", "0%d"
    };
    List<String> keys = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      keys.add(String.format(shapes[i % shapes.length], i / shapes.length));
    }
    return keys;
  }

  /** Writes the keys with 16 writers at a time. */
  static void writeAll(String bucket, List<String> keys) {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<HttpResponse<String>>> writes = new ArrayList<>();
      for (String key : keys) {
        String path = "/storage/kv/" + bucket + "/entries/" + key;
        writes.add(pool.submit(() -> rawPut(path, "{\"k\":\"" + key + "\"}")));
      }
      for (Future<HttpResponse<String>> w : writes) {
        HttpResponse<String> r = w.get(60, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode(), r.body());
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Everything one walk through a bucket observed. */
  record Walk(
      List<String> all,
      List<Page> pages,
      Map<String, Integer> deletedAfterPage,
      Set<String> deletedAhead,
      List<Long> expectedTotals) {

    List<String> seen() {
      List<String> seen = new ArrayList<>();
      pages.forEach(p -> seen.addAll(p.keys()));
      return seen;
    }
  }

  private static final Map<Integer, Walk> WALKS = new ConcurrentHashMap<>();

  /**
   * Writes {@value #KEYS} keys to a new bucket and pages through them at {@code limit}; after each
   * page it deletes keys not yet seen, keys already seen, and keys at random (one of each per 50 of
   * the limit). Computed once per limit and shared by the tests that check it, whichever runs
   * first.
   */
  static synchronized Walk walk(int limit) {
    return WALKS.computeIfAbsent(limit, PaginationTest::doWalk);
  }

  private static Walk doWalk(int limit) {
    String bucket = newBucket();
    List<String> all = mixedKeys(KEYS);
    long start = System.nanoTime();
    writeAll(bucket, all);
    long writeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    Random random = new Random(limit);
    TreeSet<String> live = new TreeSet<>(BYTE_ORDER);
    live.addAll(all);
    Set<String> seen = new HashSet<>();
    Map<String, Integer> deletedAfterPage = new HashMap<>();
    Set<String> deletedAhead = new HashSet<>();
    List<Page> pages = new ArrayList<>();
    List<Long> expectedTotals = new ArrayList<>();
    String cursor = null;
    start = System.nanoTime();
    do {
      expectedTotals.add((long) live.size());
      Page p = page(bucket, null, cursor, limit);
      pages.add(p);
      seen.addAll(p.keys());
      cursor = p.nextCursor();
      if (cursor == null || p.keys().isEmpty()) {
        break;
      }
      String last = p.keys().get(p.keys().size() - 1);
      List<String> ahead = new ArrayList<>(live.tailSet(last, false));
      List<String> behind = new ArrayList<>(live.headSet(last, true));
      List<String> victims = new ArrayList<>();
      List<String> any = new ArrayList<>(live);
      for (int i = 0; i < Math.max(1, limit / 50); i++) {
        if (!ahead.isEmpty()) {
          victims.add(ahead.get(random.nextInt(Math.min(ahead.size(), 2 * limit))));
        }
        if (!behind.isEmpty()) {
          victims.add(behind.get(random.nextInt(behind.size())));
        }
        victims.add(any.get(random.nextInt(any.size())));
      }
      for (String v : victims) {
        if (live.remove(v)) {
          HttpResponse<String> gone = rawDelete("/storage/kv/" + bucket + "/entries/" + v);
          assertEquals(200, gone.statusCode(), v + ": " + gone.body());
          deletedAfterPage.put(v, pages.size() - 1);
          if (BYTE_ORDER.compare(v, last) > 0) {
            deletedAhead.add(v);
          }
        }
      }
    } while (pages.size() < 10_000);
    long pageMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    System.out.printf(
        "[measure] pagination: %d keys written by 16 writers in %d ms; %d pages of %d with %d"
            + " deletes in %d ms%n",
        all.size(), writeMs, pages.size(), limit, deletedAfterPage.size(), pageMs);
    return new Walk(all, pages, deletedAfterPage, deletedAhead, expectedTotals);
  }

  @Nested
  class PagingWhileDeleting {

    @ParameterizedTest(name = "limit {0}")
    @ValueSource(ints = {7, 100, 1000})
    void noKeyComesTwice(int limit) {
      List<String> seen = walk(limit).seen();
      assertEquals(seen.size(), new HashSet<>(seen).size(), "duplicates in " + limit + "-pages");
    }

    @ParameterizedTest(name = "limit {0}")
    @ValueSource(ints = {7, 100, 1000})
    void noKeyDeletedBeforeItsPageComes(int limit) {
      Walk w = walk(limit);
      for (int i = 0; i < w.pages().size(); i++) {
        for (String key : w.pages().get(i).keys()) {
          Integer deletedAfter = w.deletedAfterPage().get(key);
          assertTrue(
              deletedAfter == null || deletedAfter >= i,
              key + " deleted after page " + deletedAfter + " came in page " + i);
        }
      }
    }

    @ParameterizedTest(name = "limit {0}")
    @ValueSource(ints = {7, 100, 1000})
    void everySurvivingKeyComes(int limit) {
      Walk w = walk(limit);
      Set<String> expected = new TreeSet<>(BYTE_ORDER);
      expected.addAll(w.all());
      expected.removeAll(w.deletedAhead());
      Set<String> seen = new TreeSet<>(BYTE_ORDER);
      seen.addAll(w.seen());
      expected.removeAll(seen);
      assertEquals(Set.of(), expected, "keys never listed");
    }

    @ParameterizedTest(name = "limit {0}")
    @ValueSource(ints = {7, 100, 1000})
    void keysComeInByteOrder(int limit) {
      List<String> seen = walk(limit).seen();
      for (int i = 1; i < seen.size(); i++) {
        assertTrue(
            BYTE_ORDER.compare(seen.get(i - 1), seen.get(i)) < 0,
            seen.get(i - 1) + " listed before " + seen.get(i));
      }
    }

    @ParameterizedTest(name = "limit {0}")
    @ValueSource(ints = {7, 100, 1000})
    void pagesAreFullExceptTheLast(int limit) {
      List<Page> pages = walk(limit).pages();
      for (int i = 0; i < pages.size() - 1; i++) {
        assertEquals(limit, pages.get(i).keys().size(), "page " + i);
      }
      assertNull(pages.get(pages.size() - 1).nextCursor());
    }

    @ParameterizedTest(name = "limit {0}")
    @ValueSource(ints = {7, 100, 1000})
    void totalsFollowTheDeletes(int limit) {
      Walk w = walk(limit);
      List<Long> totals = w.pages().stream().map(Page::total).toList();
      assertEquals(w.expectedTotals(), totals);
    }
  }

  @Nested
  class Order {

    @Test
    void mixedKeyCharactersComeInByteOrder() {
      String b = newBucket();
      List<String> expected =
          List.of(
              "-x", ".x", "0", "A", "Z", "a", "a-b", "a.b", "a/b", "a0", "a10", "a9", "aB", "a_b",
              "ab", "a~", "~");
      List<String> shuffled = new ArrayList<>(expected);
      java.util.Collections.shuffle(shuffled, new Random(7));
      writeAll(b, shuffled);
      List<String> listed = new ArrayList<>();
      String cursor = null;
      do {
        Page p = page(b, null, cursor, 3);
        listed.addAll(p.keys());
        cursor = p.nextCursor();
      } while (cursor != null);
      assertEquals(expected, listed);
    }
  }

  @Nested
  class PrefixWithCursor {

    private List<String> pageAll(String bucket, String prefix, int limit) {
      List<String> listed = new ArrayList<>();
      String cursor = null;
      int pages = 0;
      do {
        Page p = page(bucket, prefix, cursor, limit);
        listed.addAll(p.keys());
        cursor = p.nextCursor();
        pages++;
      } while (cursor != null && pages < 1_000);
      return listed;
    }

    @Test
    void pagesThroughOnlyThePrefix() {
      String b = newBucket();
      List<String> inside = new ArrayList<>();
      for (int i = 0; i < 25; i++) {
        inside.add("user/" + i);
      }
      List<String> outside = List.of("use", "user", "user-1", "user.x", "user0", "users/1", "v");
      List<String> keys = new ArrayList<>(inside);
      keys.addAll(outside);
      writeAll(b, keys);
      inside.sort(BYTE_ORDER);
      assertEquals(inside, pageAll(b, "user/", 4));
    }

    @Test
    void aPrefixMatchingNothingIsOneEmptyPage() {
      String b = newBucket();
      put(b, "a", "{}");
      Page p = page(b, "zzz", null, 5);
      assertEquals(List.of(), p.keys());
      assertNull(p.nextCursor());
    }

    @Test
    void theLastPrefixPageHasNoCursorEvenWithKeysAfterThePrefix() {
      String b = newBucket();
      writeAll(b, List.of("p/1", "p/2", "q/1", "q/2"));
      Page p = page(b, "p/", null, 2);
      assertEquals(List.of("p/1", "p/2"), p.keys());
      assertNull(p.nextCursor());
    }
  }

  @Nested
  class Cursors {

    @Test
    void aCursorStaysValidWhenItsKeyIsDeleted() {
      String b = newBucket();
      writeAll(b, List.of("a", "b", "c", "d", "e"));
      Page first = page(b, null, null, 2);
      rawDelete("/storage/kv/" + b + "/entries/b");
      Page second = page(b, null, first.nextCursor(), 2);
      assertEquals(List.of("c", "d"), second.keys());
    }

    @Test
    void keysWrittenAheadOfTheCursorComeAndBehindItDoNot() {
      String b = newBucket();
      writeAll(b, List.of("b", "d", "f"));
      Page first = page(b, null, null, 1);
      put(b, "a", "{}");
      put(b, "c", "{}");
      List<String> rest = new ArrayList<>();
      String cursor = first.nextCursor();
      while (cursor != null) {
        Page p = page(b, null, cursor, 1);
        rest.addAll(p.keys());
        cursor = p.nextCursor();
      }
      assertEquals(List.of("c", "d", "f"), rest);
    }
  }
}
