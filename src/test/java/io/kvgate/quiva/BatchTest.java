package io.kvgate.quiva;

import static io.kvgate.quiva.EntryApi.awaitTrue;
import static io.kvgate.quiva.EntryApi.bucketRevision;
import static io.kvgate.quiva.EntryApi.newBucket;
import static io.kvgate.quiva.EntryApi.put;
import static io.kvgate.support.QuivaOpenApi.assertError;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvgate.support.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The atomic batch extension: checks, mutations, all or nothing (contract §3a). */
@QuarkusTest
@WithTestResource(RedisResource.class)
class BatchTest {

  static Response batch(String bucket, String body) {
    return given()
        .contentType(ContentType.JSON)
        .body(body)
        .post("/storage/kv/" + bucket + "/batch");
  }

  static Response get(String bucket, String key) {
    return given().get("/storage/kv/" + bucket + "/entries/" + key);
  }

  static Map<String, Object> value(String bucket, String key) {
    Response r = get(bucket, key);
    assertEquals(200, r.statusCode(), r.asString());
    return r.jsonPath().getMap("body.value");
  }

  /** Asserts a 412 naming the failed check, and that the bucket did not change. */
  static void assertCheckFailed(Response r, int index, String key) {
    assertError(r, 412, "precondition_failed");
    assertEquals(index, r.jsonPath().getInt("failed_check"), r.asString());
    assertEquals(key, r.jsonPath().getString("key"));
  }

  @Nested
  class Mutations {
    @Test
    void putDeleteAndIncrementApplyInOrderWithTheirRevisions() {
      String b = newBucket();
      put(b, "gone", "{\"x\":1}");
      put(b, "counter", "{\"n\":5,\"other\":\"kept\"}");
      long before = bucketRevision(b);
      Response r =
          batch(
              b,
              "{\"mutations\":["
                  + "{\"op\":\"put\",\"key\":\"a\",\"value\":{\"v\":1}},"
                  + "{\"op\":\"delete\",\"key\":\"gone\"},"
                  + "{\"op\":\"increment\",\"key\":\"counter\",\"field\":\"n\",\"by\":3}]}");
      assertEquals(200, r.statusCode(), r.asString());
      assertEquals(before + 3, r.jsonPath().getLong("body.revision"));
      assertEquals(List.of("put", "delete", "increment"), r.jsonPath().getList("body.results.op"));
      assertEquals(
          List.of(before + 1, before + 2, before + 3),
          r.jsonPath().getList("body.results.revision", Long.class));
      assertEquals(b, r.jsonPath().getString("metadata.bucket"));
      assertEquals(Map.of("v", 1), value(b, "a"));
      assertEquals(404, get(b, "gone").statusCode());
      assertEquals(Map.of("n", 8, "other", "kept"), value(b, "counter"));
      assertEquals("\"" + (before + 3) + "\"", get(b, "counter").header("ETag"));
    }

    @Test
    void anIncrementOfAMissingKeyOrFieldStartsFromZero() {
      String b = newBucket();
      put(b, "doc", "{\"a\":1}");
      batch(
              b,
              "{\"mutations\":["
                  + "{\"op\":\"increment\",\"key\":\"new\",\"field\":\"hits\",\"by\":1},"
                  + "{\"op\":\"increment\",\"key\":\"doc\",\"field\":\"stats.views\",\"by\":2}]}")
          .then()
          .statusCode(200);
      assertEquals(Map.of("hits", 1), value(b, "new"));
      assertEquals(Map.of("a", 1, "stats", Map.of("views", 2)), value(b, "doc"));
    }

    @Test
    void incrementsMayBeDecimalAndNegative() {
      String b = newBucket();
      put(b, "k", "{\"n\":1.5}");
      batch(
              b,
              "{\"mutations\":[{\"op\":\"increment\",\"key\":\"k\",\"field\":\"n\",\"by\":-0.25}]}")
          .then()
          .statusCode(200);
      assertEquals(1.25f, ((Number) value(b, "k").get("n")).floatValue());
    }

    @Test
    void laterMutationsSeeEarlierOnesOfTheSameBatch() {
      String b = newBucket();
      Response r =
          batch(
              b,
              "{\"mutations\":["
                  + "{\"op\":\"put\",\"key\":\"k\",\"value\":{\"n\":10}},"
                  + "{\"op\":\"increment\",\"key\":\"k\",\"field\":\"n\",\"by\":1},"
                  + "{\"op\":\"increment\",\"key\":\"k\",\"field\":\"n\",\"by\":1}]}");
      assertEquals(200, r.statusCode(), r.asString());
      assertEquals(Map.of("n", 12), value(b, "k"));
    }

    @Test
    void aPutWithTtlExpiresAndAnIncrementKeepsTheExpiry() {
      String b = newBucket();
      batch(b, "{\"mutations\":[{\"op\":\"put\",\"key\":\"short\",\"value\":{\"n\":1},\"ttl\":2}]}")
          .then()
          .statusCode(200);
      batch(
              b,
              "{\"mutations\":[{\"op\":\"increment\",\"key\":\"short\",\"field\":\"n\",\"by\":1}]}")
          .then()
          .statusCode(200);
      assertEquals(Map.of("n", 2), value(b, "short"));
      awaitTrue(Duration.ofSeconds(6), "expiry", () -> get(b, "short").statusCode() == 404);
    }

    @Test
    void aDeleteOfAMissingKeyHasNoRevision() {
      String b = newBucket();
      Response r = batch(b, "{\"mutations\":[{\"op\":\"delete\",\"key\":\"none\"}]}");
      assertEquals(200, r.statusCode(), r.asString());
      assertNull(r.jsonPath().get("body.results[0].revision"));
    }

    @Test
    void batchWritesKeepHistory() {
      String b = newBucket("\"history\":5");
      put(b, "k", "{\"v\":1}");
      batch(b, "{\"mutations\":[{\"op\":\"put\",\"key\":\"k\",\"value\":{\"v\":2}}]}")
          .then()
          .statusCode(200);
      batch(b, "{\"mutations\":[{\"op\":\"delete\",\"key\":\"k\"}]}").then().statusCode(200);
      assertEquals(
          List.of("put", "put", "delete"),
          given()
              .get("/storage/kv/" + b + "/entries/k/history")
              .jsonPath()
              .getList("body.results.operation"));
    }
  }

  @Nested
  class Checks {
    @Test
    void absentAndRevisionChecksThatHoldLetTheBatchThrough() {
      String b = newBucket();
      long rev = put(b, "k", "{\"v\":1}");
      Response r =
          batch(
              b,
              "{\"checks\":[{\"key\":\"new\",\"absent\":true},{\"key\":\"k\",\"revision\":"
                  + rev
                  + "}],\"mutations\":[{\"op\":\"put\",\"key\":\"new\",\"value\":{\"v\":2}}]}");
      assertEquals(200, r.statusCode(), r.asString());
      assertEquals(Map.of("v", 2), value(b, "new"));
    }

    @Test
    void anAbsentCheckOnAnExistingKeyFailsAndNothingIsApplied() {
      String b = newBucket();
      put(b, "k", "{\"v\":1}");
      long before = bucketRevision(b);
      Response r =
          batch(
              b,
              "{\"checks\":[{\"key\":\"other\",\"absent\":true},{\"key\":\"k\",\"absent\":true}],"
                  + "\"mutations\":[{\"op\":\"put\",\"key\":\"k\",\"value\":{\"v\":2}},"
                  + "{\"op\":\"put\",\"key\":\"x\",\"value\":{\"v\":3}}]}");
      assertCheckFailed(r, 1, "k");
      assertEquals(Map.of("v", 1), value(b, "k"));
      assertEquals(404, get(b, "x").statusCode());
      assertEquals(before, bucketRevision(b));
    }

    @Test
    void aRevisionCheckOnAnotherRevisionOrAMissingKeyFails() {
      String b = newBucket();
      long rev = put(b, "k", "{\"v\":1}");
      assertCheckFailed(
          batch(
              b,
              "{\"checks\":[{\"key\":\"k\",\"revision\":"
                  + (rev + 5)
                  + "}],\"mutations\":[{\"op\":\"delete\",\"key\":\"k\"}]}"),
          0,
          "k");
      assertCheckFailed(
          batch(
              b,
              "{\"checks\":[{\"key\":\"none\",\"revision\":1}],"
                  + "\"mutations\":[{\"op\":\"delete\",\"key\":\"k\"}]}"),
          0,
          "none");
      assertEquals(200, get(b, "k").statusCode());
    }

    @Test
    void aMutationOverALimitRefusesTheWholeBatch() {
      String b = newBucket("\"max_value_size\":20");
      put(b, "k", "{\"v\":1}");
      long before = bucketRevision(b);
      Response r =
          batch(
              b,
              "{\"mutations\":[{\"op\":\"delete\",\"key\":\"k\"},"
                  + "{\"op\":\"put\",\"key\":\"big\",\"value\":{\"v\":\"01234567890123456789\"}}]}");
      assertError(r, 400, "validation_error");
      assertEquals(200, get(b, "k").statusCode());
      assertEquals(before, bucketRevision(b));
    }
  }

  @Nested
  class Concurrency {
    @Test
    void concurrentIncrementsOfOneCounterAreNeverLost() throws Exception {
      String b = newBucket();
      int threads = 16;
      int each = 15;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      AtomicInteger ok = new AtomicInteger();
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < each; i++) {
                    Response r =
                        batch(
                            b,
                            "{\"mutations\":[{\"op\":\"increment\",\"key\":\"c\",\"field\":\"n\","
                                + "\"by\":1},{\"op\":\"increment\",\"key\":\"d\",\"field\":\"n\","
                                + "\"by\":2}]}");
                    if (r.statusCode() == 200) {
                      ok.incrementAndGet();
                    }
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
      pool.shutdown();
      assertEquals(threads * each, ok.get());
      assertEquals(threads * each, ((Number) value(b, "c").get("n")).intValue());
      assertEquals(2 * threads * each, ((Number) value(b, "d").get("n")).intValue());
    }

    @Test
    void ofConcurrentCreateOnlyBatchesExactlyOneWins() throws Exception {
      String b = newBucket();
      int threads = 12;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<Integer>> answers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int me = t;
        answers.add(
            pool.submit(
                () ->
                    batch(
                            b,
                            "{\"checks\":[{\"key\":\"lock\",\"absent\":true}],\"mutations\":["
                                + "{\"op\":\"put\",\"key\":\"lock\",\"value\":{\"owner\":"
                                + me
                                + "}},{\"op\":\"put\",\"key\":\"owner-"
                                + me
                                + "\",\"value\":{}}]}")
                        .statusCode()));
      }
      int wins = 0;
      for (Future<Integer> a : answers) {
        int status = a.get(60, TimeUnit.SECONDS);
        assertTrue(status == 200 || status == 412, "status " + status);
        wins += status == 200 ? 1 : 0;
      }
      pool.shutdown();
      assertEquals(1, wins);
      int owner = ((Number) value(b, "lock").get("owner")).intValue();
      assertEquals(200, get(b, "owner-" + owner).statusCode());
      assertEquals(
          1,
          given()
              .get("/storage/kv/" + b + "/search-by-key?search=owner-*")
              .jsonPath()
              .getList("body.results")
              .size());
    }
  }

  @Nested
  class BadBatches {
    @Test
    void malformedBatchesAre400AndChangeNothing() {
      String b = newBucket();
      put(b, "k", "{\"n\":\"text\"}");
      long before = bucketRevision(b);
      for (String body :
          List.of(
              "{}",
              "{\"mutations\":[]}",
              "{\"mutations\":{}}",
              "{\"checks\":{},\"mutations\":[{\"op\":\"delete\",\"key\":\"k\"}]}",
              "{\"mutations\":[{\"op\":\"upsert\",\"key\":\"k\"}]}",
              "{\"mutations\":[{\"op\":\"put\",\"key\":\"k\"}]}",
              "{\"mutations\":[{\"op\":\"put\",\"key\":\"k\",\"value\":[1]}]}",
              "{\"mutations\":[{\"op\":\"put\",\"key\":\"k\",\"value\":{},\"ttl\":-1}]}",
              "{\"mutations\":[{\"op\":\"put\",\"key\":\"a b\",\"value\":{}}]}",
              "{\"mutations\":[{\"op\":\"delete\"}]}",
              "{\"mutations\":[{\"op\":\"increment\",\"key\":\"k\",\"field\":\"n\"}]}",
              "{\"mutations\":[{\"op\":\"increment\",\"key\":\"k\",\"field\":\"\",\"by\":1}]}",
              "{\"mutations\":[{\"op\":\"increment\",\"key\":\"k\",\"field\":\"a..b\",\"by\":1}]}",
              "{\"mutations\":[{\"op\":\"increment\",\"key\":\"k\",\"field\":\"n\",\"by\":\"1\"}]}",
              "{\"mutations\":[{\"op\":\"increment\",\"key\":\"k\",\"field\":\"n\",\"by\":1}]}",
              "{\"mutations\":[{\"op\":\"increment\",\"key\":\"k\",\"field\":\"n.x\",\"by\":1}]}",
              "{\"checks\":[{\"key\":\"k\"}],\"mutations\":[{\"op\":\"delete\",\"key\":\"k\"}]}",
              "{\"checks\":[{\"key\":\"k\",\"absent\":true,\"revision\":1}],"
                  + "\"mutations\":[{\"op\":\"delete\",\"key\":\"k\"}]}",
              "{\"checks\":[{\"key\":\"k\",\"revision\":0}],"
                  + "\"mutations\":[{\"op\":\"delete\",\"key\":\"k\"}]}")) {
        assertError(batch(b, body), 400, "validation_error");
      }
      assertEquals(before, bucketRevision(b));
      assertEquals(Map.of("n", "text"), value(b, "k"));
    }

    @Test
    void overAThousandOperationsIs400() {
      String b = newBucket();
      StringBuilder body = new StringBuilder("{\"checks\":[{\"key\":\"c\",\"absent\":true}],");
      body.append("\"mutations\":[");
      for (int i = 0; i < 1000; i++) {
        body.append(i == 0 ? "" : ",")
            .append("{\"op\":\"delete\",\"key\":\"k")
            .append(i)
            .append("\"}");
      }
      body.append("]}");
      assertError(batch(b, body.toString()), 400, "validation_error");
    }

    @Test
    void aThousandOperationsPass() {
      String b = newBucket();
      StringBuilder body = new StringBuilder("{\"mutations\":[");
      for (int i = 0; i < 1000; i++) {
        body.append(i == 0 ? "" : ",")
            .append("{\"op\":\"put\",\"key\":\"k")
            .append(i)
            .append("\",\"value\":{\"i\":")
            .append(i)
            .append("}}");
      }
      body.append("]}");
      Response r = batch(b, body.toString());
      assertEquals(200, r.statusCode(), r.asString());
      assertEquals(1000, r.jsonPath().getList("body.results").size());
      assertEquals(Map.of("i", 999), value(b, "k999"));
    }

    @Test
    void aMissingBucketIs404() {
      assertError(
          batch("no-such-bucket-x", "{\"mutations\":[{\"op\":\"delete\",\"key\":\"k\"}]}"),
          404,
          "not_found");
    }

    @Test
    void aReadOnlyCredentialIs403() {
      String b = newBucket();
      String key =
          given()
              .contentType(ContentType.JSON)
              .body("{\"name\":\"ro\",\"permissions\":[\"kv:read\"]}")
              .post("/auth/api-keys")
              .then()
              .statusCode(201)
              .extract()
              .path("key");
      Response r =
          given()
              .header("X-Api-Key", key)
              .contentType(ContentType.JSON)
              .body("{\"mutations\":[{\"op\":\"delete\",\"key\":\"k\"}]}")
              .post("/storage/kv/" + b + "/batch");
      assertError(r, 403, "forbidden");
    }
  }
}
