package io.kvgate.quiva;

import static io.kvgate.quiva.EntryApi.awaitTrue;
import static io.kvgate.quiva.EntryApi.newBucket;
import static io.kvgate.quiva.EntryApi.put;
import static io.kvgate.quiva.EntryApi.redisKey;
import static io.kvgate.support.QuivaOpenApi.assertError;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvgate.support.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The touch and bulk-get extensions of /storage/kv (contract §3a). */
@QuarkusTest
@WithTestResource(RedisResource.class)
class TouchAndBulkGetTest {

  static Response touch(String bucket, String key, String query) {
    return given().post("/storage/kv/" + bucket + "/entries/" + key + "/touch" + query);
  }

  static Response get(String bucket, String key) {
    return given().get("/storage/kv/" + bucket + "/entries/" + key);
  }

  static Response bulkGet(String bucket, String body) {
    return given()
        .contentType(ContentType.JSON)
        .body(body)
        .post("/storage/kv/" + bucket + "/bulk-get");
  }

  /** The entry's expiry in the bucket's expiry index, in ms; null when it does not expire. */
  static Long expiry(String bucket, String key) {
    String score = RedisResource.server().command("ZSCORE", redisKey(bucket, "x"), key);
    return score == null || score.startsWith("$-1") ? null : parse(score);
  }

  private static Long parse(String reply) {
    String digits = reply.replaceAll("(?s)^\\$\\d+\\r?\\n", "").trim();
    return digits.isEmpty() ? null : (long) Double.parseDouble(digits);
  }

  /** The bucket's read counter, as the /v2 dialect shows it. */
  static long readCount(String bucket) {
    return given()
        .get("/v2/key-value-stores/~" + bucket)
        .jsonPath()
        .getLong("data.stats.readCount");
  }

  @Nested
  class Touch {
    @Test
    void givesAnEntryANewExpiryAndKeepsItsRevisionValueAndEtag() {
      String b = newBucket();
      long rev = put(b, "k", "{\"a\":1}");
      long before = System.currentTimeMillis();
      Response r = touch(b, "k", "?ttl=100");
      assertEquals(200, r.statusCode(), r.asString());
      assertEquals("success", r.jsonPath().getString("message"));
      assertEquals("\"" + rev + "\"", r.header("ETag"));
      Long exp = expiry(b, "k");
      assertTrue(
          exp != null && exp >= before + 99_000 && exp <= before + 101_000 + 5_000, "" + exp);
      Response read = get(b, "k");
      assertEquals(200, read.statusCode());
      assertEquals("\"" + rev + "\"", read.header("ETag"));
      assertEquals(Map.of("a", 1), read.jsonPath().getMap("body.value"));
    }

    @Test
    void anEntryTouchedWithAShortTtlExpires() {
      String b = newBucket();
      put(b, "k", "{\"a\":1}");
      assertEquals(200, touch(b, "k", "?ttl=1").statusCode());
      awaitTrue(Duration.ofSeconds(5), "expiry", () -> get(b, "k").statusCode() == 404);
    }

    @Test
    void ttlZeroRemovesTheExpiry() {
      String b = newBucket();
      given()
          .contentType(ContentType.JSON)
          .body("{\"a\":1}")
          .put("/storage/kv/" + b + "/entries/k?ttl=2")
          .then()
          .statusCode(200);
      assertEquals(200, touch(b, "k", "?ttl=0").statusCode());
      assertNull(expiry(b, "k"));
      try {
        Thread.sleep(2_500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      assertEquals(200, get(b, "k").statusCode());
    }

    @Test
    void withoutTtlTheBucketDefaultApplies() {
      String b = newBucket("\"ttl\":50");
      given()
          .contentType(ContentType.JSON)
          .body("{\"a\":1}")
          .put("/storage/kv/" + b + "/entries/k?ttl=0")
          .then()
          .statusCode(200);
      assertNull(expiry(b, "k"));
      long before = System.currentTimeMillis();
      assertEquals(200, touch(b, "k", "").statusCode());
      Long exp = expiry(b, "k");
      assertTrue(exp != null && exp >= before + 49_000 && exp <= before + 56_000, "" + exp);
    }

    @Test
    void keepsTheBucketRevisionAndHistory() {
      String b = newBucket("\"history\":5");
      put(b, "k", "{\"a\":1}");
      put(b, "k", "{\"a\":2}");
      long bucketRev = EntryApi.bucketRevision(b);
      assertEquals(200, touch(b, "k", "?ttl=100").statusCode());
      assertEquals(bucketRev, EntryApi.bucketRevision(b));
      assertEquals(
          2,
          given()
              .get("/storage/kv/" + b + "/entries/k/history")
              .jsonPath()
              .getInt("body.results_total"));
    }

    @Test
    void aMissingKeyIs404() {
      assertError(touch(newBucket(), "nope", "?ttl=5"), 404, "not_found");
    }

    @Test
    void aMissingBucketIs404() {
      assertError(touch("no-such-bucket-t", "k", "?ttl=5"), 404, "not_found");
    }

    @Test
    void aBadTtlIs400AndChangesNothing() {
      String b = newBucket();
      put(b, "k", "{\"a\":1}");
      assertError(touch(b, "k", "?ttl=-1"), 400, "validation_error");
      assertError(touch(b, "k", "?ttl=abc"), 400, "validation_error");
      assertNull(expiry(b, "k"));
    }

    @Test
    void aBadKeyIs400() {
      assertError(touch(newBucket(), "a%20b", "?ttl=5"), 400, "validation_error");
    }
  }

  @Nested
  class BulkGet {
    @Test
    void answersEveryKeyInTheOrderAskedWithNullForMissingOnes() {
      String b = newBucket();
      put(b, "a", "{\"n\":1}");
      put(b, "c/d", "{\"n\":3}");
      Response r = bulkGet(b, "{\"keys\":[\"c/d\",\"missing\",\"a\",\"a\"]}");
      assertEquals(200, r.statusCode(), r.asString());
      JsonPath body = r.jsonPath();
      assertEquals(List.of("c/d", "missing", "a", "a"), body.getList("body.results.key"));
      assertEquals(Map.of("n", 3), body.getMap("body.results[0].value"));
      assertNull(body.get("body.results[1].value"));
      assertEquals(Map.of("n", 1), body.getMap("body.results[2].value"));
      assertEquals(b, body.getString("metadata.bucket"));
    }

    @Test
    void anExpiredEntryIsNull() {
      String b = newBucket();
      given()
          .contentType(ContentType.JSON)
          .body("{\"a\":1}")
          .put("/storage/kv/" + b + "/entries/short?ttl=1")
          .then()
          .statusCode(200);
      awaitTrue(
          Duration.ofSeconds(5),
          "expiry",
          () ->
              bulkGet(b, "{\"keys\":[\"short\"]}").jsonPath().get("body.results[0].value") == null);
    }

    @Test
    void aThousandKeysInOneRequest() {
      String b = newBucket();
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        keys.add("k" + i);
      }
      for (int i = 0; i < 1000; i += 100) {
        put(b, "k" + i, "{\"i\":" + i + "}");
      }
      Response r = bulkGet(b, "{\"keys\":[\"" + String.join("\",\"", keys) + "\"]}");
      assertEquals(200, r.statusCode());
      assertEquals(1000, r.jsonPath().getList("body.results").size());
      assertEquals(900, (int) r.jsonPath().getInt("body.results[900].value.i"));
      assertNull(r.jsonPath().get("body.results[901].value"));
    }

    @Test
    void countsEveryKeyAsARead() {
      String b = newBucket();
      put(b, "a", "{}");
      long before = readCount(b);
      bulkGet(b, "{\"keys\":[\"a\",\"b\",\"c\"]}").then().statusCode(200);
      assertEquals(before + 3, readCount(b));
    }

    @Test
    void badBodiesAre400() {
      String b = newBucket();
      for (String body :
          List.of(
              "{}",
              "{\"keys\":\"a\"}",
              "{\"keys\":[]}",
              "{\"keys\":[1]}",
              "{\"keys\":[\"a b\"]}",
              "[\"a\"]",
              "{\"keys\":[\"a\"]")) {
        assertError(bulkGet(b, body), 400, "validation_error");
      }
      List<String> many = new ArrayList<>();
      for (int i = 0; i < 1001; i++) {
        many.add("k" + i);
      }
      assertError(
          bulkGet(b, "{\"keys\":[\"" + String.join("\",\"", many) + "\"]}"),
          400,
          "validation_error");
    }

    @Test
    void aMissingBucketIs404() {
      assertError(bulkGet("no-such-bucket-b", "{\"keys\":[\"a\"]}"), 404, "not_found");
    }
  }
}
