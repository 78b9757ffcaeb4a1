package io.kvgate.quiva;

import static io.kvgate.quiva.EntryApi.delete;
import static io.kvgate.quiva.EntryApi.etag;
import static io.kvgate.quiva.EntryApi.newBucket;
import static io.kvgate.quiva.EntryApi.put;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvgate.support.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** What a bucket keeps of each key: retention by {@code history}, tombstones, re-creation. */
@QuarkusTest
@WithTestResource(RedisResource.class)
class HistoryTest {
  private static final String KV = "/storage/kv/";

  static JsonPath history(String bucket, String key) {
    Response r = given().get(KV + bucket + "/entries/" + key + "/history");
    assertEquals(200, r.statusCode(), r.asString());
    return r.jsonPath();
  }

  static List<Long> revisions(String bucket, String key) {
    return history(bucket, key).getList("body.results.revision", Long.class);
  }

  static List<String> operations(String bucket, String key) {
    return history(bucket, key).getList("body.results.operation", String.class);
  }

  static int readAt(String bucket, String key, long revision) {
    return given().get(KV + bucket + "/entries/" + key + "?revision=" + revision).statusCode();
  }

  /** Writes {@code {"v": i}} n times and returns the revisions. */
  static List<Long> putTimes(String bucket, String key, int n) {
    List<Long> revs = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      revs.add(put(bucket, key, "{\"v\":" + i + "}"));
    }
    return revs;
  }

  @Nested
  class Retention {

    @Test
    void historyOneKeepsOnlyTheLiveRevision() {
      String b = newBucket("\"history\":1");
      List<Long> revs = putTimes(b, "k", 3);
      assertEquals(List.of(revs.get(2)), revisions(b, "k"));
    }

    @Test
    void historyOneCannotReadEarlierRevisions() {
      String b = newBucket("\"history\":1");
      List<Long> revs = putTimes(b, "k", 3);
      assertEquals(404, readAt(b, "k", revs.get(0)));
      assertEquals(404, readAt(b, "k", revs.get(1)));
      assertEquals(200, readAt(b, "k", revs.get(2)));
    }

    @Test
    void historyThreeKeepsTheLastThreeOldestFirst() {
      String b = newBucket("\"history\":3");
      List<Long> revs = putTimes(b, "k", 5);
      JsonPath h = history(b, "k");
      assertEquals(revs.subList(2, 5), h.getList("body.results.revision", Long.class));
      assertEquals(List.of(3, 4, 5), h.getList("body.results.value.v", Integer.class));
      assertEquals(3, h.getInt("body.results_total"));
    }

    @Test
    void historyThreeReadsKeptRevisionsAndNotTrimmedOnes() {
      String b = newBucket("\"history\":3");
      List<Long> revs = putTimes(b, "k", 5);
      assertEquals(404, readAt(b, "k", revs.get(1)));
      given()
          .get(KV + b + "/entries/k?revision=" + revs.get(2))
          .then()
          .statusCode(200)
          .header("ETag", etag(revs.get(2)))
          .body("body.value.v", equalTo(3));
    }

    @Test
    void historySixtyFourKeepsTheLastSixtyFour() {
      String b = newBucket("\"history\":64");
      List<Long> revs = putTimes(b, "k", 70);
      List<Long> kept = revisions(b, "k");
      assertEquals(revs.subList(6, 70), kept);
    }

    @Test
    void historySixtyFourTrimsTheOldestRevisions() {
      String b = newBucket("\"history\":64");
      List<Long> revs = putTimes(b, "k", 70);
      assertEquals(404, readAt(b, "k", revs.get(5)));
      assertEquals(200, readAt(b, "k", revs.get(6)));
    }

    @Test
    void retentionCountsPerKey() {
      String b = newBucket("\"history\":2");
      long a1 = put(b, "a", "{}");
      long b1 = put(b, "b", "{}");
      long a2 = put(b, "a", "{}");
      long b2 = put(b, "b", "{}");
      long a3 = put(b, "a", "{}");
      assertEquals(List.of(a2, a3), revisions(b, "a"));
      assertEquals(List.of(b1, b2), revisions(b, "b"));
      assertTrue(a1 < b1);
    }

    @Test
    void aRevisionOfAnotherKeyIsNotReadable() {
      String b = newBucket("\"history\":5");
      put(b, "a", "{}");
      long other = put(b, "b", "{}");
      assertEquals(404, readAt(b, "a", other));
    }
  }

  @Nested
  class Tombstones {

    @Test
    void aDeleteIsKeptAsATombstoneWithoutValue() {
      String b = newBucket("\"history\":3");
      List<Long> revs = putTimes(b, "k", 2);
      delete(b, "k");
      JsonPath h = history(b, "k");
      assertEquals(List.of("put", "put", "delete"), h.getList("body.results.operation"));
      assertEquals(revs.get(1) + 1, h.getLong("body.results[2].revision"));
      assertNull(h.get("body.results[2].value"));
    }

    @Test
    void aTombstoneCountsTowardsTheLimit() {
      String b = newBucket("\"history\":2");
      List<Long> revs = putTimes(b, "k", 2);
      delete(b, "k");
      assertEquals(List.of(revs.get(1), revs.get(1) + 1), revisions(b, "k"));
    }

    @Test
    void historyOneKeepsOnlyTheTombstoneAfterADelete() {
      String b = newBucket("\"history\":1");
      putTimes(b, "k", 2);
      delete(b, "k");
      assertEquals(List.of("delete"), operations(b, "k"));
    }

    @Test
    void theTombstoneRevisionIsNotReadable() {
      String b = newBucket("\"history\":3");
      long rev = put(b, "k", "{}");
      delete(b, "k");
      assertEquals(404, readAt(b, "k", rev + 1));
    }

    @Test
    void aPutBeforeTheDeleteStaysReadableAtItsRevision() {
      String b = newBucket("\"history\":3");
      long rev = put(b, "k", "{\"v\":1}");
      delete(b, "k");
      given()
          .get(KV + b + "/entries/k?revision=" + rev)
          .then()
          .statusCode(200)
          .body("body.value.v", equalTo(1));
    }
  }

  @Nested
  class ReCreation {

    @Test
    void aReCreatedKeyContinuesItsHistory() {
      String b = newBucket("\"history\":5");
      long r1 = put(b, "k", "{\"v\":1}");
      delete(b, "k");
      long r3 = put(b, "k", "{\"v\":3}");
      assertEquals(List.of(r1, r1 + 1, r3), revisions(b, "k"));
      assertEquals(List.of("put", "delete", "put"), operations(b, "k"));
    }

    @Test
    void aReCreatedKeyTrimsItsOldestRevisions() {
      String b = newBucket("\"history\":3");
      List<Long> revs = putTimes(b, "k", 2);
      delete(b, "k");
      long r4 = put(b, "k", "{\"v\":4}");
      assertEquals(List.of(revs.get(1), revs.get(1) + 1, r4), revisions(b, "k"));
    }

    @Test
    void historyOneForgetsTheTombstoneOnReCreation() {
      String b = newBucket("\"history\":1");
      put(b, "k", "{}");
      delete(b, "k");
      long r3 = put(b, "k", "{}");
      assertEquals(List.of(r3), revisions(b, "k"));
    }

    @Test
    void aReCreatedKeyReadsAsTheNewValue() {
      String b = newBucket("\"history\":3");
      put(b, "k", "{\"v\":1}");
      delete(b, "k");
      long rev = put(b, "k", "{\"v\":3}");
      given()
          .get(KV + b + "/entries/k")
          .then()
          .statusCode(200)
          .header("ETag", etag(rev))
          .body("body.value.v", equalTo(3));
    }
  }

  @Nested
  class Purge {

    @Test
    void aPurgeForgetsAllHistory() {
      String b = newBucket("\"history\":5");
      putTimes(b, "k", 3);
      delete(b, "k");
      given().delete(KV + b + "/purge").then().statusCode(200);
      given().get(KV + b + "/entries/k/history").then().statusCode(404);
    }

    @Test
    void aPurgeTakesARevision() {
      String b = newBucket();
      long rev = put(b, "k", "{}");
      given().delete(KV + b + "/purge").then().statusCode(200);
      assertEquals(rev + 2, put(b, "k", "{}"));
    }
  }
}
