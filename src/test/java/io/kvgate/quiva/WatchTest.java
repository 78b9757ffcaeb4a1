package io.kvgate.quiva;

import static io.kvgate.quiva.EntryApi.awaitTrue;
import static io.kvgate.quiva.EntryApi.bucketRevision;
import static io.kvgate.quiva.EntryApi.delete;
import static io.kvgate.quiva.EntryApi.newBucket;
import static io.kvgate.quiva.EntryApi.put;
import static io.kvgate.quiva.EntryApi.uri;
import static io.kvgate.support.QuivaOpenApi.assertError;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kvgate.support.RedisResource;
import io.kvgate.support.SseStream;
import io.kvgate.support.SseStream.Event;
import io.kvgate.support.TestAuth;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The watch extension of /storage/kv (contract §3a): server-sent events of a bucket's changes in
 * modes updates, snapshot and history, filtered by prefix, resumable without gap or duplicate.
 */
@QuarkusTest
@WithTestResource(RedisResource.class)
class WatchTest {
  private static final String KEY_HEADER = "X-Api-Key";

  static SseStream watch(String bucket, String query, String... headers) {
    String[] all = new String[headers.length + 2];
    all[0] = KEY_HEADER;
    all[1] = TestAuth.BOOTSTRAP_KEY;
    System.arraycopy(headers, 0, all, 2, headers.length);
    return watchWith(uri("/storage/kv/" + bucket + "/watch" + query), all);
  }

  static SseStream watchWith(URI uri, String... headers) {
    return SseStream.open(uri, headers);
  }

  /**
   * Opens a watch and checks its status. Its starting revision is fixed before the answer's headers
   * are sent, so every write made after this returns reaches it.
   */
  static SseStream live(String bucket, String query) {
    SseStream s = watch(bucket, query);
    assertEquals(200, s.status());
    return s;
  }

  static void assertChange(Event e, String op, String key, long revision) {
    assertEquals(op, e.name(), () -> "event " + e);
    JsonNode d = e.json();
    assertEquals(op, d.get("operation").asText());
    assertEquals(key, d.get("key").isNull() ? null : d.get("key").asText());
    assertEquals(revision, d.get("revision").asLong());
    assertTrue(Instant.parse(d.get("time").asText()).isAfter(Instant.now().minusSeconds(600)));
  }

  @Nested
  class Updates {
    @Test
    void putsAndDeletesArriveInOrderWithRevisionIdsAndValues() {
      String b = newBucket();
      try (SseStream s = live(b, "")) {
        long r1 = put(b, "a", "{\"n\":1}");
        long r2 = put(b, "a", "{\"n\":2,\"s\":\"é\"}");
        delete(b, "a");
        Event e1 = s.next("put");
        assertEquals(Long.toString(r1), e1.id());
        assertChange(e1, "put", "a", r1);
        assertEquals(1, e1.json().get("value").get("n").asInt());
        Event e2 = s.next("put");
        assertChange(e2, "put", "a", r2);
        assertEquals("é", e2.json().get("value").get("s").asText());
        Event e3 = s.next("delete");
        assertChange(e3, "delete", "a", r2 + 1);
        assertEquals(Long.toString(r2 + 1), e3.id());
        assertFalse(e3.json().has("value"));
      }
    }

    @Test
    void answersAsAnEventStreamThatCachesNothing() {
      String b = newBucket();
      try (SseStream s = watch(b, "")) {
        assertEquals(200, s.status());
        assertTrue(
            s.response()
                .headers()
                .firstValue("Content-Type")
                .orElse("")
                .startsWith("text/event-stream"));
        assertEquals("no-cache", s.response().headers().firstValue("Cache-Control").orElse(""));
      }
    }

    @Test
    void onlyChangesAfterTheWatchOpens() {
      String b = newBucket();
      put(b, "before", "{}");
      try (SseStream s = live(b, "")) {
        long r = put(b, "after", "{}");
        assertChange(s.next("put"), "put", "after", r);
      }
    }

    @Test
    void valuesFalseLeavesValuesOut() {
      String b = newBucket();
      try (SseStream s = live(b, "?values=false")) {
        long r = put(b, "a", "{\"n\":1}");
        Event e = s.next("put");
        assertChange(e, "put", "a", r);
        assertFalse(e.json().has("value"), e.data());
      }
    }

    @Test
    void aValueOverTheStreamLimitComesWithoutItsValue() {
      String b = newBucket();
      String big = "{\"s\":\"" + "x".repeat(70 * 1024) + "\"}";
      try (SseStream s = live(b, "")) {
        long r = put(b, "big", big);
        long small = put(b, "small", "{\"n\":1}");
        Event e = s.next("put");
        assertChange(e, "put", "big", r);
        assertTrue(e.json().get("value").isNull());
        assertTrue(e.json().get("value_omitted").asBoolean());
        // The revision reads the value back.
        given().get("/storage/kv/" + b + "/entries/big?revision=" + r).then().statusCode(200);
        assertEquals(1, s.next("put").json().get("value").get("n").asInt());
        assertEquals(small, r + 1);
      }
    }

    @Test
    void prefixFiltersKeys() {
      String b = newBucket();
      try (SseStream s = live(b, "?prefix=x/")) {
        put(b, "y/1", "{}");
        long r = put(b, "x/1", "{}");
        put(b, "x", "{}");
        long r2 = put(b, "x/2", "{}");
        assertChange(s.next("put"), "put", "x/1", r);
        assertChange(s.next("put"), "put", "x/2", r2);
        s.assertQuiet(Duration.ofMillis(300));
      }
    }

    @Test
    void batchesAndPrefixDeletesAreEventsToo() {
      String b = newBucket();
      try (SseStream s = live(b, "")) {
        given()
            .contentType(ContentType.JSON)
            .body(
                "{\"mutations\":[{\"op\":\"put\",\"key\":\"p/1\",\"value\":{\"n\":1}},"
                    + "{\"op\":\"put\",\"key\":\"p/2\",\"value\":{\"n\":2}}]}")
            .post("/storage/kv/" + b + "/batch")
            .then()
            .statusCode(200);
        Event a = s.next("put");
        Event c = s.next("put");
        assertEquals("p/1", a.json().get("key").asText());
        assertEquals(a.revision() + 1, c.revision());
        given().delete("/storage/kv/" + b + "/entries?prefix=p/").then().statusCode(200);
        Set<String> deleted = new HashSet<>();
        for (Event e : s.next(2)) {
          assertEquals("delete", e.name());
          deleted.add(e.json().get("key").asText());
        }
        assertEquals(Set.of("p/1", "p/2"), deleted);
      }
    }

    @Test
    void expiryIsAnEvent() {
      String b = newBucket();
      try (SseStream s = live(b, "")) {
        long r =
            EntryApi.revision(
                given()
                    .contentType(ContentType.JSON)
                    .body("{\"n\":1}")
                    .put("/storage/kv/" + b + "/entries/short?ttl=1")
                    .then()
                    .statusCode(200)
                    .extract()
                    .header("ETag"));
        assertChange(s.next("put"), "put", "short", r);
        // Nothing reads the key: the background reaper removes it and says so.
        Event e = s.next(Duration.ofSeconds(8));
        assertChange(e, "expire", "short", r + 1);
        assertEquals(Long.toString(r + 1), e.id());
      }
    }

    @Test
    void purgeIsAnEventOfNoKey() {
      String b = newBucket();
      put(b, "a", "{}");
      try (SseStream s = live(b, "?prefix=a")) {
        given().delete("/storage/kv/" + b + "/purge").then().statusCode(200);
        Event e = s.next("purge");
        assertChange(e, "purge", null, bucketRevision(b));
      }
    }

    @Test
    void deletingTheBucketEndsTheWatch() {
      String b = newBucket();
      try (SseStream s = live(b, "")) {
        given().delete("/storage/kv/" + b).then().statusCode(200);
        Event e = s.next("error");
        assertEquals("bucket_deleted", e.json().get("error").asText());
        assertNull(e.id());
        assertEquals(SseStream.END, s.next().name());
      }
    }

    @Test
    void manyWatchersOfOneBucketEachSeeEveryChange() {
      String b = newBucket();
      List<SseStream> streams = new ArrayList<>();
      try {
        for (int i = 0; i < 20; i++) {
          streams.add(watch(b, i % 2 == 0 ? "" : "?prefix=k"));
        }
        List<Long> revs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
          revs.add(put(b, "k" + i, "{\"i\":" + i + "}"));
        }
        for (SseStream s : streams) {
          for (long r : revs) {
            assertEquals(r, s.next("put").revision());
          }
        }
      } finally {
        streams.forEach(SseStream::close);
      }
    }
  }

  @Nested
  class Snapshot {
    @Test
    void currentEntriesThenTheMarkerThenLiveChanges() {
      String b = newBucket();
      long ra = put(b, "a", "{\"v\":1}");
      put(b, "b", "{\"v\":1}");
      long rb = put(b, "b", "{\"v\":2}");
      put(b, "c", "{}");
      delete(b, "c");
      long at = bucketRevision(b);
      try (SseStream s = watch(b, "?mode=snapshot")) {
        Event a = s.next("put");
        assertChange(a, "put", "a", ra);
        assertNull(a.id(), "a replayed entry is no resume point");
        Event bb = s.next("put");
        assertChange(bb, "put", "b", rb);
        assertEquals(2, bb.json().get("value").get("v").asInt());
        Event done = s.next("snapshot-complete");
        assertEquals(Long.toString(at), done.id());
        assertEquals(at, done.json().get("revision").asLong());
        long live = put(b, "d", "{}");
        assertChange(s.next("put"), "put", "d", live);
      }
    }

    @Test
    void pagesThroughManyKeysInByteOrderOnce() {
      String b = newBucket();
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < 250; i++) {
        keys.add(String.format("k%04d", i));
      }
      writeAll(b, keys);
      try (SseStream s = watch(b, "?mode=snapshot&prefix=k0")) {
        List<String> seen = new ArrayList<>();
        Event e;
        while (!(e = s.next()).name().equals("snapshot-complete")) {
          seen.add(e.json().get("key").asText());
        }
        assertEquals(keys, seen);
      }
    }

    @Test
    void aKeyWrittenDuringTheSnapshotIsShownOnce() {
      String b = newBucket();
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        keys.add(String.format("k%04d", i));
      }
      writeAll(b, keys);
      try (SseStream s = watch(b, "?mode=snapshot")) {
        // Written while the replay pages: shown by the replay or live, never by both.
        long last = put(b, "k0399", "{\"late\":true}");
        List<Event> all = new ArrayList<>();
        Event e;
        while (!(e = s.next()).name().equals("snapshot-complete")) {
          all.add(e);
        }
        long lateShown =
            all.stream().filter(x -> x.json().get("revision").asLong() == last).count();
        if (lateShown == 0) {
          assertEquals(last, s.next("put").revision());
        }
        long marker = put(b, "z", "{}");
        assertEquals(marker, s.next("put").revision(), "no duplicate before the next change");
      }
    }

    @Test
    void anEmptyBucketGivesTheMarkerAtOnce() {
      String b = newBucket();
      try (SseStream s = watch(b, "?mode=snapshot")) {
        assertEquals("0", s.next("snapshot-complete").id());
      }
    }
  }

  @Nested
  class History {
    @Test
    void everyKeptRevisionOfEachKeyThenLive() {
      String b = newBucket("\"history\":3");
      long a1 = put(b, "a", "{\"v\":1}");
      long a2 = put(b, "a", "{\"v\":2}");
      long a3 = put(b, "a", "{\"v\":3}");
      long a4 = put(b, "a", "{\"v\":4}");
      long b1 = put(b, "b", "{\"v\":1}");
      delete(b, "b");
      long at = bucketRevision(b);
      try (SseStream s = watch(b, "?mode=history")) {
        // a keeps its last three revisions; b its put and its tombstone.
        assertChange(s.next("put"), "put", "a", a2);
        assertChange(s.next("put"), "put", "a", a3);
        Event live = s.next("put");
        assertChange(live, "put", "a", a4);
        assertEquals(4, live.json().get("value").get("v").asInt());
        assertChange(s.next("put"), "put", "b", b1);
        assertChange(s.next("delete"), "delete", "b", b1 + 1);
        assertEquals(Long.toString(at), s.next("snapshot-complete").id());
        long r = put(b, "a", "{\"v\":5}");
        assertChange(s.next("put"), "put", "a", r);
        assertTrue(a1 < a2);
      }
    }

    @Test
    void historyIsFilteredByPrefix() {
      String b = newBucket("\"history\":2");
      put(b, "x1", "{}");
      long x = put(b, "x1", "{}");
      put(b, "y1", "{}");
      try (SseStream s = watch(b, "?mode=history&prefix=x")) {
        assertEquals(x - 1, s.next("put").revision());
        assertEquals(x, s.next("put").revision());
        s.next("snapshot-complete");
      }
    }
  }

  @Nested
  class Resume {
    @Test
    void lastEventIdContinuesAfterIt() {
      String b = newBucket();
      long r1 = put(b, "a", "{}");
      long r2 = put(b, "b", "{}");
      long r3 = put(b, "c", "{}");
      try (SseStream s = watch(b, "", "Last-Event-ID", Long.toString(r1))) {
        assertEquals(r2, s.next("put").revision());
        assertEquals(r3, s.next("put").revision());
        long r4 = put(b, "d", "{}");
        assertEquals(r4, s.next("put").revision());
      }
    }

    @Test
    void fromRevisionContinuesAfterIt() {
      String b = newBucket();
      put(b, "a", "{}");
      long r2 = put(b, "b", "{}");
      try (SseStream s = watch(b, "?from_revision=" + (r2 - 1))) {
        assertEquals(r2, s.next("put").revision());
      }
    }

    @Test
    void resumingSkipsTheSnapshot() {
      String b = newBucket();
      long r1 = put(b, "a", "{}");
      long r2 = put(b, "b", "{}");
      try (SseStream s = watch(b, "?mode=snapshot", "Last-Event-ID", Long.toString(r1))) {
        Event e = s.next();
        assertChange(e, "put", "b", r2);
        assertEquals(Long.toString(r2), e.id());
      }
    }

    @Test
    void aPurgeKeepsNoEarlierChangeToResumeFrom() {
      String b = newBucket();
      long r1 = put(b, "a", "{\"secret\":1}");
      long r2 = put(b, "a", "{\"secret\":2}");
      given().delete("/storage/kv/" + b + "/purge").then().statusCode(200);
      try (SseStream s = watch(b, "", "Last-Event-ID", Long.toString(r1))) {
        assertEquals("resume_too_old", s.next("error").json().get("error").asText());
      }
      // Right before the purge is still a resume point: the purge is what comes next.
      try (SseStream s = watch(b, "", "Last-Event-ID", Long.toString(r2))) {
        assertChange(s.next("purge"), "purge", null, r2 + 1);
      }
    }

    @Test
    void aResumePointAheadOfTheBucketIsAnErrorEvent() {
      String b = newBucket();
      put(b, "a", "{}");
      try (SseStream s = watch(b, "?from_revision=99")) {
        Event e = s.next("error");
        assertEquals("invalid_resume_point", e.json().get("error").asText());
        assertTrue(e.json().get("message").asText().contains("99"));
        assertEquals(SseStream.END, s.next().name());
      }
    }

    @Test
    void tenThousandWritesAcrossDroppedConnectionsWithoutGapOrDuplicate() throws Exception {
      String b = newBucket();
      int total = 10_000;
      ExecutorService writers = Executors.newFixedThreadPool(8);
      AtomicInteger next = new AtomicInteger();
      Set<Long> written = ConcurrentHashMap.newKeySet();
      List<Future<?>> jobs = new ArrayList<>();
      List<Long> received = new ArrayList<>();
      int drops = 0;
      SseStream s = live(b, "");
      try {
        for (int t = 0; t < 8; t++) {
          jobs.add(
              writers.submit(
                  () -> {
                    int i;
                    while ((i = next.getAndIncrement()) < total) {
                      written.add(
                          revisionOf(
                              EntryApi.rawPut(
                                  "/storage/kv/" + b + "/entries/k" + (i % 500),
                                  "{\"i\":" + i + "}",
                                  "Content-Type",
                                  "application/json")));
                    }
                  }));
        }
        String lastId = null;
        while (received.size() < total) {
          Event e = s.next(Duration.ofSeconds(30));
          if (SseStream.END.equals(e.name())) {
            throw new AssertionError("the stream ended after " + received.size());
          }
          assertEquals("put", e.name(), e::toString);
          received.add(Long.parseLong(e.id()));
          lastId = e.id();
          if (received.size() % 1_500 == 0) {
            // Drop the connection mid-stream and come back as an EventSource would.
            s.close();
            drops++;
            s = watch(b, "", "Last-Event-ID", lastId);
            assertEquals(200, s.status());
          }
        }
        for (Future<?> f : jobs) {
          f.get(60, TimeUnit.SECONDS);
        }
      } finally {
        s.close();
        writers.shutdownNow();
      }
      assertEquals(total, written.size());
      assertEquals(total, received.size(), "no duplicate");
      for (int i = 0; i < total; i++) {
        assertEquals(i + 1, received.get(i), "the revisions in order, without a gap");
      }
      assertEquals(written, new HashSet<>(received));
      assertEquals(6, drops);
    }
  }

  @Nested
  class BadRequests {
    @Test
    void aMissingBucketIs404BeforeAnyStream() {
      try (SseStream s = watch("no-such-bucket-w", "")) {
        assertEquals(404, s.status());
      }
      assertError(given().get("/storage/kv/no-such-bucket-w/watch"), 404, "not_found");
    }

    @Test
    void aBadModeIs400() {
      String b = newBucket();
      assertError(given().get("/storage/kv/" + b + "/watch?mode=all"), 400, "validation_error");
    }

    @Test
    void aBadValuesFlagIs400() {
      String b = newBucket();
      assertError(given().get("/storage/kv/" + b + "/watch?values=yes"), 400, "validation_error");
    }

    @Test
    void aBadResumePointIs400() {
      String b = newBucket();
      assertError(
          given().get("/storage/kv/" + b + "/watch?from_revision=-1"), 400, "validation_error");
      assertError(
          given().header("Last-Event-ID", "abc").get("/storage/kv/" + b + "/watch"),
          400,
          "validation_error");
    }

    @Test
    void aBadPrefixIs400() {
      String b = newBucket();
      assertError(
          given().get("/storage/kv/" + b + "/watch?prefix=" + enc("a b")), 400, "validation_error");
    }
  }

  @Nested
  class Auth {
    @Test
    void noCredentialIs401() {
      String b = newBucket();
      try (SseStream s = watchWith(uri("/storage/kv/" + b + "/watch"))) {
        assertEquals(401, s.status());
      }
    }

    @Test
    void aTokenInTheQueryIsAccepted() {
      String b = newBucket();
      try (SseStream s =
          watchWith(uri("/storage/kv/" + b + "/watch?token=" + TestAuth.BOOTSTRAP_KEY))) {
        assertEquals(200, s.status());
        long r = put(b, "a", "{}");
        assertEquals(r, s.next("put").revision());
      }
    }

    @Test
    void aKeyForOtherBucketsIs403() {
      String b = newBucket();
      io.restassured.path.json.JsonPath created =
          given()
              .contentType(ContentType.JSON)
              .body(
                  "{\"name\":\"elsewhere\",\"permissions\":[\"kv:read\"],\"buckets\":[\"other-*\"]}")
              .post("/auth/api-keys")
              .then()
              .statusCode(201)
              .extract()
              .jsonPath();
      try (SseStream s =
          watchWith(uri("/storage/kv/" + b + "/watch"), KEY_HEADER, created.getString("key"))) {
        assertEquals(403, s.status());
      }
    }

    @Test
    void aRevokedKeyEndsItsWatchWithinASecond() {
      String b = newBucket();
      String[] created = createKey("watcher", "[\"kv:read\"]");
      try (SseStream s = watchWith(uri("/storage/kv/" + b + "/watch"), KEY_HEADER, created[1])) {
        assertEquals(200, s.status());
        long r = put(b, "a", "{}");
        assertEquals(r, s.next("put").revision());
        given().delete("/auth/api-keys/" + created[0]).then().statusCode(204);
        long revoked = System.nanoTime();
        Event e = s.next(Duration.ofSeconds(5));
        assertEquals("error", e.name(), e::toString);
        assertEquals("credential_revoked", e.json().get("error").asText());
        assertTrue(
            System.nanoTime() - revoked < TimeUnit.MILLISECONDS.toNanos(1_500),
            "ended within the revocation bound");
        assertEquals(SseStream.END, s.next().name());
      }
    }
  }

  @Nested
  class Metrics {
    @Test
    void openWatchersAndSentEventsAreCounted() {
      String b = newBucket();
      double sentBefore = metric("kvgate_watch_events_sent_total");
      awaitTrue(
          Duration.ofSeconds(5),
          "earlier tests' watches are closed",
          () -> metric("kvgate_watch_open") == 0);
      double openBefore = 0;
      try (SseStream s = live(b, "")) {
        assertEquals(1, metric("kvgate_watch_open"));
        put(b, "a", "{}");
        put(b, "b", "{}");
        s.next("put");
        s.next("put");
        assertTrue(metric("kvgate_watch_events_sent_total") >= sentBefore + 2);
      }
      awaitTrue(
          Duration.ofSeconds(5),
          "the closed watch is no longer counted",
          () -> metric("kvgate_watch_open") == openBefore);
    }
  }

  static double metric(String name) {
    String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
    for (String line : text.split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no metric " + name + " in /q/metrics");
  }

  static long revisionOf(java.net.http.HttpResponse<String> r) {
    assertEquals(200, r.statusCode(), r::body);
    return EntryApi.revision(r.headers().firstValue("ETag").orElse(null));
  }

  static void writeAll(String bucket, List<String> keys) {
    StringBuilder body = new StringBuilder("{\"mutations\":[");
    for (int i = 0; i < keys.size(); i++) {
      body.append(i == 0 ? "" : ",")
          .append("{\"op\":\"put\",\"key\":\"")
          .append(keys.get(i))
          .append("\",\"value\":{\"i\":")
          .append(i)
          .append("}}");
    }
    given()
        .contentType(ContentType.JSON)
        .body(body.append("]}").toString())
        .post("/storage/kv/" + bucket + "/batch")
        .then()
        .statusCode(200);
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** A new API key of the bootstrap tenant: {id, key}. */
  static String[] createKey(String name, String permissions) {
    io.restassured.path.json.JsonPath created =
        given()
            .contentType(ContentType.JSON)
            .body("{\"name\":\"" + name + "\",\"permissions\":" + permissions + "}")
            .post("/auth/api-keys")
            .then()
            .statusCode(201)
            .extract()
            .jsonPath();
    return new String[] {created.getString("id"), created.getString("key")};
  }
}
