package io.kvgate.quiva;

import static io.kvgate.quiva.EntryApi.awaitTrue;
import static io.kvgate.quiva.EntryApi.bucketDetail;
import static io.kvgate.quiva.EntryApi.newBucket;
import static io.kvgate.quiva.EntryApi.put;
import static io.kvgate.support.QuivaOpenApi.assertError;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvgate.support.RedisResource;
import io.quarkus.logging.Log;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Delete by prefix: DELETE /storage/kv/{bucket}/entries?prefix= (contract §3a). */
@QuarkusTest
@WithTestResource(RedisResource.class)
class PrefixDeleteTest {

  static Response deletePrefix(String bucket, String prefix) {
    return given().delete("/storage/kv/" + bucket + "/entries?prefix=" + prefix);
  }

  /** Writes {@code count} small entries named {@code prefix + i}, a thousand per batch. */
  static void load(String bucket, String prefix, int count) {
    for (int from = 0; from < count; from += 1000) {
      StringBuilder body = new StringBuilder("{\"mutations\":[");
      for (int i = from; i < Math.min(count, from + 1000); i++) {
        body.append(i == from ? "" : ",")
            .append("{\"op\":\"put\",\"key\":\"")
            .append(prefix)
            .append(i)
            .append("\",\"value\":{\"i\":")
            .append(i)
            .append("}}");
      }
      body.append("]}");
      given()
          .contentType(ContentType.JSON)
          .body(body.toString())
          .post("/storage/kv/" + bucket + "/batch")
          .then()
          .statusCode(200);
    }
  }

  static long entries(String bucket) {
    return bucketDetail(bucket).getLong("status.entries");
  }

  @Nested
  class Small {
    @Test
    void deletesEveryEntryWithThePrefixAndNothingElse() {
      String b = newBucket();
      load(b, "user/", 120);
      put(b, "userx", "{}");
      put(b, "other/1", "{}");
      Response r = deletePrefix(b, "user/");
      assertEquals(200, r.statusCode(), r.asString());
      assertEquals("success", r.jsonPath().getString("message"));
      assertEquals(120, r.jsonPath().getLong("deleted"));
      assertEquals(2, entries(b));
      assertEquals(404, given().get("/storage/kv/" + b + "/entries/user/7").statusCode());
      assertEquals(200, given().get("/storage/kv/" + b + "/entries/userx").statusCode());
      JsonPath detail = bucketDetail(b);
      assertEquals(List.of(), detail.getList("status.pending_delete"));
    }

    @Test
    void deletesAreTombstonesInTheHistory() {
      String b = newBucket("\"history\":3");
      put(b, "p/a", "{\"v\":1}");
      deletePrefix(b, "p/").then().statusCode(200);
      assertEquals(
          List.of("put", "delete"),
          given()
              .get("/storage/kv/" + b + "/entries/p/a/history")
              .jsonPath()
              .getList("body.results.operation"));
    }

    @Test
    void aPrefixWithNoEntriesIsDoneAtOnce() {
      String b = newBucket();
      Response r = deletePrefix(b, "none/");
      assertEquals(200, r.statusCode());
      assertEquals(0, r.jsonPath().getLong("deleted"));
    }

    @Test
    void noOrABadPrefixIs400() {
      String b = newBucket();
      put(b, "k", "{}");
      assertError(given().delete("/storage/kv/" + b + "/entries"), 400, "validation_error");
      assertError(deletePrefix(b, ""), 400, "validation_error");
      assertError(deletePrefix(b, "a%20b"), 400, "validation_error");
      assertEquals(1, entries(b));
    }

    @Test
    void aMissingBucketIs404() {
      assertError(deletePrefix("no-such-bucket-p", "a"), 404, "not_found");
    }
  }

  /**
   * 200,000 entries under one prefix deleted while other requests go on: the delete works in
   * slices, the bucket's counts are right at the end, and the other requests' latency is measured.
   */
  @Test
  void twoHundredThousandEntriesGoWhileOtherRequestsKeepTheirLatency() throws Exception {
    String b = newBucket();
    load(b, "bulk/", 200_000);
    put(b, "keep", "{\"v\":1}");
    List<Long> before = latencies(b, 300);
    AtomicBoolean deleting = new AtomicBoolean(true);
    List<Long> during = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newSingleThreadExecutor();
    Future<?> reader =
        pool.submit(
            () -> {
              while (deleting.get()) {
                during.addAll(latencies(b, 1));
              }
            });
    long start = System.nanoTime();
    Response r = deletePrefix(b, "bulk/");
    assertTrue(r.statusCode() == 200 || r.statusCode() == 202, r.asString());
    boolean[] sawProgress = {r.statusCode() == 200};
    awaitTrue(
        Duration.ofSeconds(120),
        "the delete by prefix to finish",
        () -> {
          JsonPath d = bucketDetail(b);
          if (!d.getList("status.pending_delete").isEmpty()) {
            sawProgress[0] = true;
          }
          return d.getList("status.pending_delete").isEmpty() && d.getLong("status.entries") == 1;
        });
    long seconds = (System.nanoTime() - start) / 1_000_000_000L;
    deleting.set(false);
    reader.get(30, TimeUnit.SECONDS);
    pool.shutdown();
    assertTrue(sawProgress[0], "a 202 answer showed no progress in K3");
    assertEquals(1, entries(b));
    assertEquals(200, given().get("/storage/kv/" + b + "/entries/keep").statusCode());
    long p99Before = percentile(before, 99);
    long p99During = percentile(during, 99);
    Log.infof(
        "delete by prefix of 200,000 entries: %d s (answer %d); GET p50/p99 before %d/%d us,"
            + " during %d/%d us over %d requests",
        seconds,
        r.statusCode(),
        percentile(before, 50),
        p99Before,
        percentile(during, 50),
        p99During,
        during.size());
    assertTrue(p99During < 250_000, "GET p99 during the delete: " + p99During + " us");
  }

  /** Latencies in microseconds of {@code n} reads of one entry. */
  static List<Long> latencies(String bucket, int n) {
    List<Long> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long t = System.nanoTime();
      given().get("/storage/kv/" + bucket + "/entries/keep").then().statusCode(200);
      out.add((System.nanoTime() - t) / 1000);
    }
    return out;
  }

  static long percentile(List<Long> values, int p) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    if (sorted.isEmpty()) {
      return 0;
    }
    return sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100));
  }
}
