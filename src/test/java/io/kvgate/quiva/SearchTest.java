package io.kvgate.quiva;

import static io.kvgate.quiva.EntryApi.awaitTrue;
import static io.kvgate.quiva.EntryApi.bucketDetail;
import static io.kvgate.quiva.EntryApi.bucketId;
import static io.kvgate.quiva.EntryApi.newBucket;
import static io.kvgate.quiva.EntryApi.put;
import static io.kvgate.support.QuivaOpenApi.assertError;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvgate.support.QuivaOpenApi;
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

/** K11 field search over indexing mappings (K2, K4), and its bookkeeping in K3. */
@QuarkusTest
@WithTestResource(RedisResource.class)
class SearchTest {
  static final String KV = "/storage/kv/";

  static String indexing(String... fieldTypes) {
    StringBuilder sb = new StringBuilder("\"indexing\":{\"mappings\":[");
    for (int i = 0; i < fieldTypes.length; i += 2) {
      sb.append(i == 0 ? "" : ",")
          .append("{\"field\":\"")
          .append(fieldTypes[i])
          .append("\",\"field_type\":\"")
          .append(fieldTypes[i + 1])
          .append("\"}");
    }
    return sb.append("],\"partitions\":1,\"replicas\":1,\"storage_type\":\"file\"}").toString();
  }

  static String indexedBucket(String... fieldTypes) {
    return newBucket(indexing(fieldTypes));
  }

  static Response search(String bucket, String... params) {
    var req = given();
    for (int i = 0; i < params.length; i += 2) {
      req = req.queryParam(params[i], params[i + 1]);
    }
    return req.get(KV + bucket + "/search");
  }

  /** The keys a search finds, following every cursor, with the given page size. */
  static List<String> allKeys(String bucket, int limit, String... params) {
    List<String> out = new ArrayList<>();
    String cursor = null;
    for (int pages = 0; pages < 10_000; pages++) {
      List<String> p = new ArrayList<>(List.of(params));
      p.add("limit");
      p.add(Integer.toString(limit));
      if (cursor != null) {
        p.add("cursor");
        p.add(cursor);
      }
      Response r = search(bucket, p.toArray(String[]::new));
      assertEquals(200, r.statusCode(), r.asString());
      JsonPath j = r.jsonPath();
      List<String> keys = j.getList("body.results.key");
      assertTrue(keys.size() <= limit);
      out.addAll(keys);
      cursor = j.getString("body.next_cursor");
      if (cursor == null) {
        return out;
      }
    }
    throw new AssertionError("too many pages");
  }

  static List<String> keys(Response r) {
    assertEquals(200, r.statusCode(), r.asString());
    return r.jsonPath().getList("body.results.key");
  }

  static void batch(String bucket, Map<String, String> values) {
    StringBuilder body = new StringBuilder("{\"mutations\":[");
    boolean first = true;
    for (Map.Entry<String, String> e : values.entrySet()) {
      body.append(first ? "" : ",")
          .append("{\"op\":\"put\",\"key\":\"")
          .append(e.getKey())
          .append("\",\"value\":")
          .append(e.getValue())
          .append("}");
      first = false;
    }
    body.append("]}");
    given()
        .contentType(ContentType.JSON)
        .body(body.toString())
        .post(KV + bucket + "/batch")
        .then()
        .statusCode(200);
  }

  @Nested
  class Mappings {
    @Test
    void createWithIndexingShowsTheMappingsInK3() {
      String b = indexedBucket("name", "text", "price", "number");
      JsonPath d = bucketDetail(b);
      assertEquals("name", d.getString("config.indexing.mappings[0].field"));
      assertEquals("text", d.getString("config.indexing.mappings[0].field_type"));
      assertEquals("number", d.getString("config.indexing.mappings[1].field_type"));
      assertEquals(1, d.getInt("config.indexing.partitions"));
      assertEquals("file", d.getString("config.indexing.storage_type"));
      assertFalse(d.getBoolean("status.indexing.backfilling"));
      assertEquals(0, d.getLong("status.indexing.not_indexed"));
      QuivaOpenApi.assertMatches("KVBucketResponse", given().get(KV + b).asString());
    }

    @Test
    void theSpecExampleWithIntegerStorageIsAccepted() {
      String b =
          newBucket(
              "\"indexing\":{\"mappings\":[{\"field\":\"name\",\"field_type\":\"text\"},"
                  + "{\"field\":\"price\",\"field_type\":\"number\"}],\"partitions\":3,"
                  + "\"replicas\":2,\"storage_type\":0,\"stream\":\"idx\"}");
      JsonPath d = bucketDetail(b);
      assertEquals(3, d.getInt("config.indexing.partitions"));
      assertEquals(2, d.getInt("config.indexing.replicas"));
      assertEquals("file", d.getString("config.indexing.storage_type"));
      assertEquals("idx", d.getString("config.indexing.stream"));
      assertEquals(3, d.getInt("stream_info.config.index_config.partitions"));
    }

    @Test
    void badMappingsAre400AndCreateNothing() {
      for (String bad :
          List.of(
              "\"indexing\":{\"mappings\":[{\"field\":\"a\",\"field_type\":\"blob\"}]}",
              "\"indexing\":{\"mappings\":[{\"field\":\"\",\"field_type\":\"text\"}]}",
              "\"indexing\":{\"mappings\":[{\"field\":\"a..b\",\"field_type\":\"text\"}]}",
              "\"indexing\":{\"mappings\":[{\"field\":\"a\",\"field_type\":\"text\"},"
                  + "{\"field\":\"a\",\"field_type\":\"number\"}]}",
              "\"indexing\":{\"mappings\":{}}",
              "\"indexing\":{}",
              "\"indexing\":[]",
              "\"indexing\":{\"mappings\":[],\"partitions\":0}",
              "\"indexing\":{\"mappings\":[],\"storage_type\":\"disk\"}")) {
        String name = "e-bad" + Math.abs(bad.hashCode());
        Response r =
            given()
                .contentType(ContentType.JSON)
                .body("{\"bucket\":\"" + name + "\"," + bad + "}")
                .post("/storage/kv");
        assertError(r, 400, "validation_error");
        assertEquals(404, given().get(KV + name).statusCode(), bad);
      }
    }

    @Test
    void updateAddsMappingsAndBackfillsExistingEntries() {
      String b = newBucket();
      for (int i = 0; i < 30; i++) {
        put(b, "k" + i, "{\"n\":" + i + ",\"tag\":\"t" + (i % 3) + "\"}");
      }
      given()
          .contentType(ContentType.JSON)
          .body("{" + indexing("n", "number", "tag", "keyword") + "}")
          .put(KV + b)
          .then()
          .statusCode(200);
      assertEquals(10, allKeys(b, 4, "field", "tag", "search", "t1").size());
      assertEquals(
          List.of("k10", "k11", "k12"),
          keys(search(b, "field", "n", "search_type", "range", "min", "10", "max", "12")));
      assertFalse(bucketDetail(b).getBoolean("status.indexing.backfilling"));
    }

    @Test
    void removingMappingsTurnsSearchOffAndDropsTheIndexKeys() {
      String b = indexedBucket("tag", "keyword");
      put(b, "a", "{\"tag\":\"x\"}");
      String id = bucketId(b);
      given()
          .contentType(ContentType.JSON)
          .body("{\"indexing\":{\"mappings\":[]}}")
          .put(KV + b)
          .then()
          .statusCode(200);
      Response r = search(b, "field", "tag", "search", "x");
      assertError(r, 400, "validation_error");
      assertTrue(r.jsonPath().getString("message").contains("maps no fields"));
      assertNull(bucketDetail(b).get("config.indexing"));
      assertEquals(
          "0", RedisResource.server().command("EXISTS", "kvg:{" + id + "}:i:K:tag").substring(1));
      assertEquals(
          "0", RedisResource.server().command("EXISTS", "kvg:{" + id + "}:it").substring(1));
    }
  }

  @Nested
  class Types {
    @Test
    void numberExactAndInclusiveRange() {
      String b = indexedBucket("price", "number");
      put(b, "a", "{\"price\":5}");
      put(b, "b", "{\"price\":10.5}");
      put(b, "c", "{\"price\":-3}");
      put(b, "d", "{\"price\":200}");
      put(b, "e", "{\"other\":1}");
      assertEquals(List.of("b"), keys(search(b, "field", "price", "search", "10.5")));
      assertEquals(
          List.of("a", "b"),
          keys(search(b, "field", "price", "search_type", "range", "min", "5", "max", "10.5")));
      assertEquals(
          List.of("c", "a"), keys(search(b, "field", "price", "search_type", "range", "max", "5")));
      assertEquals(List.of("d"), keys(search(b, "field", "price", "min", "11")));
      Response r = search(b, "field", "price", "search_type", "range", "min", "-100", "max", "1e6");
      assertEquals(List.of("c", "a", "b", "d"), keys(r));
      JsonPath j = r.jsonPath();
      assertEquals(4, j.getInt("body.results_total"));
      assertEquals(4, j.getInt("metadata.index_hits"));
      assertEquals(b, j.getString("metadata.bucket"));
      assertEquals("price", j.getString("metadata.field"));
      assertNotNull(j.getString("metadata.index_duration"));
      assertEquals(5, j.getInt("body.results[0].value.price") + 8);
    }

    @Test
    void dateExactAndRangeByIsoOrMillis() {
      String b = indexedBucket("at", "date");
      put(b, "a", "{\"at\":\"2025-01-01T00:00:00Z\"}");
      put(b, "b", "{\"at\":\"2025-06-01\"}");
      put(b, "c", "{\"at\":1767225600000}");
      put(b, "d", "{\"at\":\"2025-03-01T10:00:00+02:00\"}");
      assertEquals(List.of("b"), keys(search(b, "field", "at", "search", "2025-06-01T00:00:00Z")));
      assertEquals(
          List.of("a", "d", "b"),
          keys(
              search(
                  b,
                  "field",
                  "at",
                  "search_type",
                  "range",
                  "min",
                  "2025-01-01",
                  "max",
                  "2025-06-01")));
      assertEquals(List.of("c"), keys(search(b, "field", "at", "min", "1767225600000")));
    }

    @Test
    void keywordExactAndPrefixAreCaseSensitiveWholeValues() {
      String b = indexedBucket("cat", "keyword");
      put(b, "a", "{\"cat\":\"Books\"}");
      put(b, "b", "{\"cat\":\"Books/Fiction\"}");
      put(b, "c", "{\"cat\":\"books\"}");
      put(b, "d", "{\"cat\":\"Bo\"}");
      assertEquals(List.of("a"), keys(search(b, "field", "cat", "search", "Books")));
      assertEquals(
          List.of("a", "b"),
          keys(search(b, "field", "cat", "search", "Books", "search_type", "prefix")));
      assertEquals(
          List.of("d", "a", "b"),
          keys(search(b, "field", "cat", "search", "Bo", "search_type", "prefix")));
    }

    @Test
    void textIsLowerCaseUnicodeWordsWithExactPrefixAndFuzzy() {
      String b = indexedBucket("title", "text");
      put(b, "a", "{\"title\":\"The Quick Brown Fox\"}");
      put(b, "b", "{\"title\":\"Straße in MÜNCHEN, quickly!\"}");
      put(b, "c", "{\"title\":\"slow brown dog\"}");
      put(b, "d", "{\"title\":\"Ελληνικά κείμενα\"}");
      assertEquals(List.of("a", "c"), keys(search(b, "field", "title", "search", "BROWN")));
      assertEquals(List.of("b"), keys(search(b, "field", "title", "search", "münchen")));
      assertEquals(List.of("d"), keys(search(b, "field", "title", "search", "ΕΛΛΗΝΙΚΆ")));
      assertEquals(
          List.of("a", "b"),
          keys(search(b, "field", "title", "search", "Quick", "search_type", "prefix")));
      // Fuzzy: within two edits, by characters.
      assertEquals(
          List.of("a", "c"),
          keys(search(b, "field", "title", "search", "brwn", "search_type", "fuzzy")));
      assertEquals(
          List.of("b"),
          keys(search(b, "field", "title", "search", "strase", "search_type", "fuzzy")));
      assertEquals(
          List.of("a", "b"),
          keys(search(b, "field", "title", "search", "quickl", "search_type", "fuzzy")));
      assertEquals(
          List.of(), keys(search(b, "field", "title", "search", "qxxxk", "search_type", "fuzzy")));
    }

    @Test
    void booleanExact() {
      String b = indexedBucket("active", "boolean");
      put(b, "a", "{\"active\":true}");
      put(b, "b", "{\"active\":false}");
      put(b, "c", "{\"active\":\"true\"}");
      assertEquals(List.of("a"), keys(search(b, "field", "active", "search", "true")));
      assertEquals(List.of("b"), keys(search(b, "field", "active", "search", "false")));
      assertError(search(b, "field", "active", "search", "yes"), 400, "validation_error");
    }

    @Test
    void nestedPathsAndArraysIndexEachElementAndAnEntryShowsOnce() {
      String b =
          indexedBucket("user.address.city", "keyword", "scores", "number", "tags.name", "text");
      put(
          b,
          "a",
          "{\"user\":{\"address\":{\"city\":\"Oslo\"}},\"scores\":[3,7,7],"
              + "\"tags\":[{\"name\":\"red apple\"},{\"name\":\"green\"}]}");
      put(
          b,
          "b",
          "{\"user\":{\"address\":[{\"city\":\"Bergen\"},{\"city\":\"Oslo\"}]},\"scores\":5}");
      assertEquals(
          List.of("a", "b"), keys(search(b, "field", "user.address.city", "search", "Oslo")));
      assertEquals(List.of("a"), keys(search(b, "field", "scores", "search", "7")));
      Response r = search(b, "field", "scores", "min", "0", "max", "10");
      assertEquals(List.of("a", "b"), keys(r));
      assertEquals(2, r.jsonPath().getInt("body.results_total"));
      assertEquals(3, r.jsonPath().getInt("metadata.index_hits"));
      assertEquals(List.of("a"), keys(search(b, "field", "tags.name", "search", "green")));
    }

    @Test
    void wrongTypesAreStoredButNotIndexedAndCounted() {
      String b = indexedBucket("price", "number", "name", "keyword");
      put(b, "a", "{\"price\":\"cheap\",\"name\":\"x\"}");
      put(b, "b", "{\"price\":[1,\"two\"]}");
      put(b, "c", "{\"price\":3}");
      assertEquals(200, given().get(KV + b + "/entries/a").statusCode());
      assertEquals(2, bucketDetail(b).getLong("status.indexing.not_indexed"));
      assertEquals(List.of("a"), keys(search(b, "field", "name", "search", "x")));
      assertEquals(List.of("b", "c"), keys(search(b, "field", "price", "min", "0")));
      put(b, "a", "{\"price\":1}");
      EntryApi.delete(b, "b");
      assertEquals(0, bucketDetail(b).getLong("status.indexing.not_indexed"));
    }
  }

  @Nested
  class Lifecycle {
    @Test
    void overwriteDeleteExpiryPurgeAndBucketDeleteRemoveIndexEntries() throws Exception {
      String b = indexedBucket("tag", "keyword", "body", "text");
      String id = bucketId(b);
      put(b, "a", "{\"tag\":\"x\",\"body\":\"hello world\"}");
      put(b, "b", "{\"tag\":\"x\",\"body\":\"hello\"}");
      put(b, "a", "{\"tag\":\"y\",\"body\":\"bye\"}");
      assertEquals(List.of("b"), keys(search(b, "field", "tag", "search", "x")));
      assertEquals(List.of("b"), keys(search(b, "field", "body", "search", "hello")));
      assertEquals(
          List.of(), keys(search(b, "field", "body", "search", "world", "search_type", "fuzzy")));
      EntryApi.delete(b, "b");
      assertEquals(List.of(), keys(search(b, "field", "tag", "search", "x")));
      // Only a's current tag is left in the keyword index.
      assertEquals(":1", RedisResource.server().command("ZCARD", "kvg:{" + id + "}:i:K:tag"));
      // Expiry
      given()
          .contentType(ContentType.JSON)
          .body("{\"tag\":\"z\"}")
          .put(KV + b + "/entries/t?ttl=1")
          .then()
          .statusCode(200);
      assertEquals(List.of("t"), keys(search(b, "field", "tag", "search", "z")));
      awaitTrue(
          Duration.ofSeconds(5),
          "the expired entry leaves the index",
          () ->
              RedisResource.server()
                  .command("ZLEXCOUNT", "kvg:{" + id + "}:i:K:tag", "[z\0", "(z\1")
                  .equals(":0"));
      assertEquals(List.of(), keys(search(b, "field", "tag", "search", "z")));
      // Purge
      put(b, "p", "{\"tag\":\"p\",\"body\":\"words\"}");
      given().delete(KV + b + "/purge").then().statusCode(200);
      assertEquals(List.of(), keys(search(b, "field", "tag", "search", "p")));
      assertEquals(":0", RedisResource.server().command("EXISTS", "kvg:{" + id + "}:i:T:body"));
      assertEquals(":0", RedisResource.server().command("EXISTS", "kvg:{" + id + "}:w:T:body"));
      assertEquals(":0", RedisResource.server().command("EXISTS", "kvg:{" + id + "}:it"));
      put(b, "q", "{\"tag\":\"p\"}");
      assertEquals(List.of("q"), keys(search(b, "field", "tag", "search", "p")));
      // Bucket delete
      given().delete(KV + b).then().statusCode(200);
      awaitTrue(
          Duration.ofSeconds(5),
          "no key of the bucket but its closing change stream",
          () -> {
            String reply = RedisResource.server().command("KEYS", "kvg:{" + id + "}:i*");
            return reply.equals("*0");
          });
      assertEquals(404, search(b, "field", "tag", "search", "p").statusCode());
    }
  }
}
