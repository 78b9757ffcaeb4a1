package io.kvgate.quiva;

import static io.kvgate.quiva.EntryApi.awaitTrue;
import static io.kvgate.quiva.EntryApi.bucketDetail;
import static io.kvgate.quiva.EntryApi.newBucket;
import static io.kvgate.quiva.EntryApi.put;
import static io.kvgate.quiva.EntryApi.rawPut;
import static io.kvgate.quiva.EntryApi.redisKey;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvgate.support.RedisResource;
import io.kvgate.support.RedisServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Expiry of entries: per-entry {@code ?ttl}, the bucket default, {@code ttl=0}, what every read and
 * count shows once an entry expired, and the background reaper.
 *
 * <p>Waits are bounded polls. Where a test must know that an entry's time has passed without
 * reading that entry, it writes a "clock" entry with the same TTL just after it and waits for the
 * clock to disappear: the clock cannot expire before the entry written earlier.
 */
@QuarkusTest
@WithTestResource(RedisResource.class)
class TtlTest {
  private static final Duration WAIT = Duration.ofSeconds(8);
  private static final String KV = "/storage/kv/";

  static long putTtl(String bucket, String key, String json, long ttl) {
    String tag =
        given()
            .contentType(ContentType.JSON)
            .body(json)
            .put(KV + bucket + "/entries/" + key + "?ttl=" + ttl)
            .then()
            .statusCode(200)
            .extract()
            .header("ETag");
    return EntryApi.revision(tag);
  }

  static int status(String bucket, String key) {
    return given().get(KV + bucket + "/entries/" + key).statusCode();
  }

  /** Waits until a GET of {@code key} answers 404. */
  static Duration awaitGone(String bucket, String key) {
    return awaitTrue(WAIT, key + " expired", () -> status(bucket, key) == 404);
  }

  @Nested
  class PerEntryTtl {

    @Test
    void anEntryExpiresOnceItsTtlHasPassed() {
      String b = newBucket();
      long start = System.nanoTime();
      putTtl(b, "k", "{}", 2);
      awaitGone(b, "k");
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      System.out.printf("[measure] ttl=2 entry first seen gone after %d ms%n", millis);
      assertTrue(millis >= 1_900, "gone after only " + millis + " ms");
    }

    @Test
    void anEntryIsReadableBeforeItsTtlHasPassed() {
      String b = newBucket();
      putTtl(b, "k", "{\"v\":1}", 60);
      given().get(KV + b + "/entries/k").then().statusCode(200);
    }

    @Test
    void anOverwriteWithoutTtlMakesTheEntryPermanent() {
      String b = newBucket();
      putTtl(b, "k", "{\"v\":1}", 1);
      put(b, "k", "{\"v\":2}");
      putTtl(b, "clock", "{}", 1);
      awaitGone(b, "clock");
      assertEquals(200, status(b, "k"));
    }

    @Test
    void anOverwriteWithTtlMakesAPermanentEntryExpire() {
      String b = newBucket();
      put(b, "k", "{\"v\":1}");
      putTtl(b, "k", "{\"v\":2}", 1);
      awaitGone(b, "k");
    }
  }

  @Nested
  class BucketDefaultTtl {

    @Test
    void anEntryWithoutTtlTakesTheBucketDefault() {
      String b = newBucket("\"ttl\":1");
      put(b, "k", "{}");
      awaitGone(b, "k");
    }

    @Test
    void ttlZeroMeansNoExpiryDespiteTheDefault() {
      String b = newBucket("\"ttl\":1");
      putTtl(b, "forever", "{}", 0);
      put(b, "clock", "{}");
      awaitGone(b, "clock");
      assertEquals(200, status(b, "forever"));
    }

    @Test
    void aLongerEntryTtlOverridesTheDefault() {
      String b = newBucket("\"ttl\":1");
      putTtl(b, "long", "{}", 600);
      put(b, "clock", "{}");
      awaitGone(b, "clock");
      assertEquals(200, status(b, "long"));
    }
  }

  /** One live entry "keep", one expired entry "gone", and the counts from before "gone". */
  record Expired(String bucket, long goneRevision, long entriesBefore, long bytesBefore) {}

  static Expired bucketWithAnExpiredEntry() {
    String b = newBucket("\"history\":5");
    put(b, "keep", "{\"keep\":true}");
    JsonPath before = bucketDetail(b);
    long goneRev = putTtl(b, "gone", "{\"gone\":\"soon\"}", 1);
    putTtl(b, "clock", "{}", 1);
    awaitGone(b, "clock");
    return new Expired(
        b, goneRev, before.getLong("status.entries"), before.getLong("status.bytes"));
  }

  @Nested
  class ExpiredEntries {

    @Test
    void areGoneForGet() {
      Expired e = bucketWithAnExpiredEntry();
      assertEquals(404, status(e.bucket(), "gone"));
    }

    @Test
    void areGoneForGetAtTheirRevision() {
      Expired e = bucketWithAnExpiredEntry();
      given()
          .get(KV + e.bucket() + "/entries/gone?revision=" + e.goneRevision())
          .then()
          .statusCode(404);
    }

    @Test
    void haveNoHistory() {
      Expired e = bucketWithAnExpiredEntry();
      given().get(KV + e.bucket() + "/entries/gone/history").then().statusCode(404);
    }

    @Test
    void areGoneFromTheList() {
      Expired e = bucketWithAnExpiredEntry();
      JsonPath page = given().get(KV + e.bucket() + "/entries").jsonPath();
      assertEquals(List.of("keep"), page.getList("body.results.key"));
    }

    @Test
    void areNotCountedInTheListTotal() {
      Expired e = bucketWithAnExpiredEntry();
      JsonPath page = given().get(KV + e.bucket() + "/entries").jsonPath();
      assertEquals(1, page.getInt("body.results_total"));
    }

    @Test
    void areGoneFromKeySearch() {
      Expired e = bucketWithAnExpiredEntry();
      JsonPath found =
          given().queryParam("search", "*").get(KV + e.bucket() + "/search-by-key").jsonPath();
      assertEquals(List.of("keep"), found.getList("body.results.key"));
    }

    @Test
    void areNotCountedInTheBucketList() {
      Expired e = bucketWithAnExpiredEntry();
      JsonPath all = given().get("/storage/kv").jsonPath();
      int total = all.getInt("body.results.find { it.name == '" + e.bucket() + "' }.entry_total");
      assertEquals(e.entriesBefore(), total);
    }

    @Test
    void areNotCountedInTheBucketStatus() {
      Expired e = bucketWithAnExpiredEntry();
      assertEquals(e.entriesBefore(), bucketDetail(e.bucket()).getLong("status.entries"));
    }

    @Test
    void freeTheirBytes() {
      Expired e = bucketWithAnExpiredEntry();
      assertEquals(e.bytesBefore(), bucketDetail(e.bucket()).getLong("status.bytes"));
    }

    @Test
    void canBeWrittenAgainAsNewEntries() {
      Expired e = bucketWithAnExpiredEntry();
      given()
          .contentType(ContentType.JSON)
          .header("If-None-Match", "*")
          .body("{\"again\":1}")
          .put(KV + e.bucket() + "/entries/gone")
          .then()
          .statusCode(200);
    }
  }

  @Nested
  class RoomOfExpiredEntries {

    @Test
    void aWriteFindsTheRoomAnExpiredEntryLeft() {
      String b = newBucket("\"max_bytes\":50");
      String clock = newBucket();
      String thirty = "{\"v\":\"" + "x".repeat(22) + "\"}";
      putTtl(b, "a", thirty, 1);
      // The clock expires after a, in another bucket: waiting for it reads nothing of b.
      putTtl(clock, "clock", "{}", 1);
      given()
          .contentType(ContentType.JSON)
          .body(thirty)
          .put(KV + b + "/entries/b")
          .then()
          .statusCode(400);
      awaitGone(clock, "clock");
      given()
          .contentType(ContentType.JSON)
          .body(thirty)
          .put(KV + b + "/entries/b")
          .then()
          .statusCode(200);
      assertEquals(30, bucketDetail(b).getLong("status.bytes"));
      assertEquals(1, bucketDetail(b).getLong("status.entries"));
    }
  }

  @Nested
  class Revisions {

    @Test
    void anExpiryTakesARevision() {
      String b = newBucket();
      long rev = putTtl(b, "k", "{}", 1);
      awaitGone(b, "k");
      assertEquals(rev + 1, bucketDetail(b).getLong("status.revision"));
    }
  }

  @Nested
  class BackgroundReaper {

    /** Reads a number from the bucket's meta hash straight from Redis (no service call). */
    private long meta(RedisServer redis, String metaKey, String field) {
      return Long.parseLong(redis.command("HGET", metaKey, field));
    }

    private long card(RedisServer redis, String command, String key) {
      return Long.parseLong(redis.command(command, key).substring(1));
    }

    @Test
    void freesCountsAndBytesOfExpiredEntriesNobodyReads() throws Exception {
      String b = newBucket();
      put(b, "keep", "{\"keep\":true}");
      String metaKey = redisKey(b, "m");
      String dataKey = redisKey(b, "d");
      String expiryKey = redisKey(b, "x");
      RedisServer redis = RedisResource.server();
      long bytesOfKeep = meta(redis, metaKey, "bytes");

      // More than any single read would reap on its way (100), written concurrently.
      int n = 300;
      ExecutorService pool = Executors.newFixedThreadPool(16);
      try {
        List<Future<HttpResponse<String>>> writes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          String path = KV + b + "/entries/exp-" + i + "?ttl=1";
          writes.add(pool.submit(() -> rawPut(path, "{\"payload\":\"0123456789\"}")));
        }
        for (Future<HttpResponse<String>> w : writes) {
          assertEquals(200, w.get(30, TimeUnit.SECONDS).statusCode());
        }
      } finally {
        pool.shutdownNow();
      }
      long written = System.nanoTime();
      awaitTrue(
          Duration.ofSeconds(15),
          "the reaper removed the expired entries",
          () -> meta(redis, metaKey, "count") == 1);
      System.out.printf(
          "[measure] reaper: %d expired entries removed %d ms after the last write (ttl 1 s)%n",
          n, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - written));
      assertEquals(bytesOfKeep, meta(redis, metaKey, "bytes"), "bytes after the reaper");
      assertEquals(1, card(redis, "HLEN", dataKey), "values left in the data hash");
      assertEquals(0, card(redis, "ZCARD", expiryKey), "keys left in the expiry index");
    }

    @Test
    void leavesEntriesWithoutExpiryAlone() {
      String b = newBucket();
      put(b, "keep", "{}");
      putTtl(b, "short", "{}", 1);
      String metaKey = redisKey(b, "m");
      RedisServer redis = RedisResource.server();
      awaitTrue(WAIT, "the reaper removed 'short'", () -> meta(redis, metaKey, "count") == 1);
      assertEquals(200, status(b, "keep"));
    }
  }
}
