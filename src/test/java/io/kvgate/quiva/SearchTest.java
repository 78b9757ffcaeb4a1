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
import java.util.LinkedHashMap;
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

  @Nested
  class UnchangedTerms {
    @Test
    void aWriteThatKeepsTheMappedFieldsKeepsTheIndexExact() {
      String b = indexedBucket("tag", "keyword", "body", "text", "price", "number");
      String id = bucketId(b);
      put(b, "a", "{\"tag\":\"x\",\"body\":\"hello world\",\"price\":\"cheap\",\"pad\":1}");
      put(b, "b", "{\"tag\":\"x\",\"body\":\"hello\"}");
      // Only an unmapped field changes: the same terms, the same wrong-type count.
      put(b, "a", "{\"tag\":\"x\",\"body\":\"hello world\",\"price\":\"cheap\",\"pad\":2}");
      put(b, "a", "{\"tag\":\"x\",\"body\":\"hello world\",\"price\":\"cheap\",\"pad\":3}");
      assertEquals(List.of("a", "b"), keys(search(b, "field", "tag", "search", "x")));
      assertEquals(
          List.of("a"), keys(search(b, "field", "body", "search", "wrld", "search_type", "fuzzy")));
      assertEquals(1, bucketDetail(b).getLong("status.indexing.not_indexed"));
      assertEquals(":2", RedisResource.server().command("ZCARD", "kvg:{" + id + "}:i:K:tag"));
      // Then the mapped fields change: the old terms go, the new ones come.
      put(b, "a", "{\"tag\":\"y\",\"body\":\"bye\",\"price\":4}");
      assertEquals(List.of("b"), keys(search(b, "field", "tag", "search", "x")));
      assertEquals(List.of("a"), keys(search(b, "field", "price", "min", "4", "max", "4")));
      assertEquals(
          List.of(), keys(search(b, "field", "body", "search", "world", "search_type", "fuzzy")));
      assertEquals(0, bucketDetail(b).getLong("status.indexing.not_indexed"));
    }
  }

  @Nested
  class Paging {
    @Test
    void cursorsWalkEveryMatchOnceInIndexOrder() {
      String b = indexedBucket("n", "number", "tag", "keyword", "body", "text");
      Map<String, String> values = new LinkedHashMap<>();
      for (int i = 0; i < 57; i++) {
        values.put(
            String.format("k%02d", i),
            "{\"n\":"
                + (i % 7)
                + ",\"tag\":\"t"
                + (i % 2)
                + "\",\"body\":\"alpha alps al"
                + i
                + "\"}");
      }
      batch(b, values);
      List<String> exact = allKeys(b, 5, "field", "tag", "search", "t1");
      assertEquals(28, exact.size());
      assertEquals(exact.stream().sorted().toList(), exact);
      List<String> range = allKeys(b, 4, "field", "n", "min", "2", "max", "3");
      List<String> expected = new ArrayList<>();
      for (int v = 2; v <= 3; v++) {
        for (int i = 0; i < 57; i++) {
          if (i % 7 == v) {
            expected.add(String.format("k%02d", i));
          }
        }
      }
      assertEquals(expected, range);
      // Every entry has three words starting with "al": each shows once across the pages.
      List<String> prefix = allKeys(b, 7, "field", "body", "search", "al", "search_type", "prefix");
      assertEquals(57, prefix.size());
      assertEquals(57, prefix.stream().distinct().count());
      Response first = search(b, "field", "body", "search", "al", "search_type", "prefix");
      assertEquals(57, first.jsonPath().getInt("body.results_total"));
      assertEquals(57 * 3, first.jsonPath().getInt("metadata.index_hits"));
      List<String> fuzzy =
          allKeys(b, 6, "field", "body", "search", "alpah", "search_type", "fuzzy");
      assertEquals(values.keySet().stream().toList(), fuzzy);
    }

    @Test
    void answersInThePublicShapes() {
      String b = indexedBucket("name", "text");
      put(b, "user123", "{\"name\":\"John Doe\",\"age\":30}");
      String body = search(b, "field", "name", "search", "John").asString();
      QuivaOpenApi.assertMatches(
          "Metadata", JsonPath.from(body).prettify().isEmpty() ? "{}" : metadataOf(body));
      JsonPath j = JsonPath.from(body);
      assertEquals("user123", j.getString("body.results[0].key"));
      assertEquals("John Doe", j.getString("body.results[0].value.name"));
      assertEquals(1, j.getInt("body.results_total"));
      assertEquals(1, j.getInt("metadata.index_hits"));
      assertEquals("John", j.getString("metadata.search"));
      assertNull(j.get("body.next_cursor"));
    }

    private String metadataOf(String body) {
      try {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        return mapper.writeValueAsString(mapper.readTree(body).get("metadata"));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  @Nested
  class BadRequests {
    @Test
    void anUnmappedFieldIs400ListingTheMappedOnes() {
      String b = indexedBucket("name", "text", "price", "number");
      Response r = search(b, "field", "colour", "search", "red");
      assertError(r, 400, "validation_error");
      String message = r.jsonPath().getString("message");
      assertTrue(message.contains("name") && message.contains("price"), message);
    }

    @Test
    void aSearchThatDoesNotFitTheFieldTypeIs400() {
      String b =
          indexedBucket("name", "text", "price", "number", "tag", "keyword", "on", "boolean");
      String[][] bad = {
        {"field", "price", "search", "1", "search_type", "prefix"},
        {"field", "price", "search", "1", "search_type", "fuzzy"},
        {"field", "tag", "search", "a", "search_type", "range"},
        {"field", "tag", "search", "a", "search_type", "fuzzy"},
        {"field", "on", "search", "true", "search_type", "prefix"},
        {"field", "name", "search", "a", "search_type", "range"},
        {"field", "name", "search", "two words"},
        {"field", "name", "search", "a", "search_type", "regex"},
        {"field", "price", "search", "cheap"},
        {"field", "price", "search_type", "range"},
        {"field", "price", "search_type", "range", "min", "x"},
        {"field", "price", "search_type", "range", "min", "5", "max", "1"},
        {"field", "price", "search_type", "range", "min", "NaN"},
        {"field", "tag"},
        {"search", "a"},
        {"field", "tag", "search", "a", "limit", "0"},
        {"field", "tag", "search", "a", "limit", "1001"},
        {"field", "tag", "search", "a", "cursor", "%%%"},
      };
      for (String[] params : bad) {
        assertError(search(b, params), 400, "validation_error");
      }
    }

    @Test
    void aMissingBucketIs404() {
      assertError(search("e-nosuchbucket0", "field", "a", "search", "b"), 404, "not_found");
    }
  }

  @Nested
  class AgreesWithAScan {
    /** Random values, searched every way, against the same filter over the entries. */
    @Test
    void onRandomisedDataSets() {
      java.util.Random rng = new java.util.Random(6);
      for (int round = 0; round < 2; round++) {
        String b =
            indexedBucket(
                "n", "number", "d", "date", "k", "keyword", "t", "text", "f", "boolean", "a.x",
                "number");
        String[] words = {
          "red", "read", "reed", "road", "rod", "bead", "bed", "bad", "zeta", "café"
        };
        Map<String, Map<String, Object>> data = new java.util.TreeMap<>();
        Map<String, String> json = new LinkedHashMap<>();
        for (int i = 0; i < 150; i++) {
          String key = "r" + rng.nextInt(1000);
          Map<String, Object> v = new LinkedHashMap<>();
          StringBuilder sb = new StringBuilder("{");
          int n = rng.nextInt(40) - 20;
          v.put("n", n);
          sb.append("\"n\":").append(rng.nextInt(10) == 0 ? "\"x\"" : Integer.toString(n));
          if (sb.indexOf("\"x\"") >= 0) {
            v.remove("n");
          }
          long d = 1_700_000_000_000L + rng.nextInt(30) * 86_400_000L;
          v.put("d", d);
          sb.append(",\"d\":\"").append(java.time.Instant.ofEpochMilli(d)).append("\"");
          String k = "k" + rng.nextInt(12);
          v.put("k", k);
          sb.append(",\"k\":\"").append(k).append("\"");
          List<String> t = new ArrayList<>();
          for (int w = 0; w < 1 + rng.nextInt(3); w++) {
            t.add(words[rng.nextInt(words.length)]);
          }
          v.put("t", t);
          sb.append(",\"t\":\"")
              .append(String.join(" ", t).toUpperCase(java.util.Locale.ROOT))
              .append("\"");
          boolean f = rng.nextBoolean();
          v.put("f", f);
          sb.append(",\"f\":").append(f);
          List<Integer> ax = new ArrayList<>();
          for (int e = 0; e < rng.nextInt(3); e++) {
            ax.add(rng.nextInt(10));
          }
          v.put("a.x", ax);
          sb.append(",\"a\":[");
          for (int e = 0; e < ax.size(); e++) {
            sb.append(e == 0 ? "" : ",").append("{\"x\":").append(ax.get(e)).append("}");
          }
          sb.append("]}");
          data.put(key, v);
          json.put(key, sb.toString());
        }
        batch(b, json);
        // Some deletes and overwrites after the load.
        List<String> present = new ArrayList<>(data.keySet());
        for (int i = 0; i < 15; i++) {
          String key = present.get(rng.nextInt(present.size()));
          if (data.remove(key) != null) {
            EntryApi.delete(b, key);
          }
        }
        for (int q = 0; q < 6; q++) {
          int lo = rng.nextInt(40) - 20;
          int hi = lo + rng.nextInt(15);
          assertEquals(
              scan(
                  data,
                  v -> v.containsKey("n") && (int) v.get("n") >= lo && (int) v.get("n") <= hi),
              sorted(allKeys(b, 28, "field", "n", "min", "" + lo, "max", "" + hi)),
              "range " + lo + ".." + hi);
          int exact = rng.nextInt(40) - 20;
          assertEquals(
              scan(data, v -> v.containsKey("n") && (int) v.get("n") == exact),
              allKeys(b, 12, "field", "n", "search", "" + exact));
          String k = "k" + rng.nextInt(12);
          assertEquals(
              scan(data, v -> v.get("k").equals(k)), allKeys(b, 16, "field", "k", "search", k));
          assertEquals(
              scan(data, v -> ((String) v.get("k")).startsWith("k1")),
              sorted(allKeys(b, 36, "field", "k", "search", "k1", "search_type", "prefix")));
          String w = words[rng.nextInt(words.length)];
          @SuppressWarnings("unchecked")
          java.util.function.Predicate<Map<String, Object>> hasWord =
              v -> ((List<String>) v.get("t")).contains(w);
          assertEquals(scan(data, hasWord), allKeys(b, 20, "field", "t", "search", w));
          String p = w.substring(0, 2);
          @SuppressWarnings("unchecked")
          java.util.function.Predicate<Map<String, Object>> hasPrefix =
              v -> ((List<String>) v.get("t")).stream().anyMatch(x -> x.startsWith(p));
          assertEquals(
              scan(data, hasPrefix),
              sorted(allKeys(b, 24, "field", "t", "search", p, "search_type", "prefix")),
              "prefix " + p);
          @SuppressWarnings("unchecked")
          java.util.function.Predicate<Map<String, Object>> near =
              v -> ((List<String>) v.get("t")).stream().anyMatch(x -> distance(x, w) <= 2);
          assertEquals(
              scan(data, near),
              allKeys(b, 32, "field", "t", "search", w, "search_type", "fuzzy"),
              "fuzzy " + w);
          boolean f = rng.nextBoolean();
          assertEquals(
              scan(data, v -> v.get("f").equals(f)),
              allKeys(b, 40, "field", "f", "search", "" + f));
          int x = rng.nextInt(10);
          @SuppressWarnings("unchecked")
          java.util.function.Predicate<Map<String, Object>> inArray =
              v -> ((List<Integer>) v.get("a.x")).stream().anyMatch(e -> e >= x && e <= x + 2);
          assertEquals(
              scan(data, inArray),
              sorted(allKeys(b, 16, "field", "a.x", "min", "" + x, "max", "" + (x + 2))));
          long d0 = 1_700_000_000_000L + rng.nextInt(30) * 86_400_000L;
          long d1 = d0 + rng.nextInt(5) * 86_400_000L;
          assertEquals(
              scan(data, v -> (long) v.get("d") >= d0 && (long) v.get("d") <= d1),
              sorted(
                  allKeys(
                      b,
                      44,
                      "field",
                      "d",
                      "min",
                      java.time.Instant.ofEpochMilli(d0).toString(),
                      "max",
                      "" + d1)));
        }
      }
    }

    private List<String> scan(
        Map<String, Map<String, Object>> data,
        java.util.function.Predicate<Map<String, Object>> p) {
      return data.entrySet().stream()
          .filter(e -> p.test(e.getValue()))
          .map(Map.Entry::getKey)
          .toList();
    }

    private List<String> sorted(List<String> keys) {
      assertEquals(keys.size(), keys.stream().distinct().count(), "each entry once: " + keys);
      return keys.stream().sorted().toList();
    }

    /** Levenshtein distance by code points. */
    private int distance(String a, String b) {
      int[] x = a.codePoints().toArray();
      int[] y = b.codePoints().toArray();
      int[] prev = new int[y.length + 1];
      for (int j = 0; j <= y.length; j++) {
        prev[j] = j;
      }
      for (int i = 1; i <= x.length; i++) {
        int[] cur = new int[y.length + 1];
        cur[0] = i;
        for (int j = 1; j <= y.length; j++) {
          cur[j] =
              Math.min(
                  Math.min(cur[j - 1] + 1, prev[j] + 1),
                  prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1));
        }
        prev = cur;
      }
      return prev[y.length];
    }
  }

  @Nested
  class Backfill {
    /** Mappings change on a bucket of 3,000 entries while writers keep writing. */
    @Test
    void whileWritesContinueTheIndexEndsUpExactlyTheData() throws Exception {
      String b = newBucket();
      Map<String, String> load = new LinkedHashMap<>();
      for (int i = 0; i < 3000; i++) {
        load.put("k" + i, "{\"g\":" + (i % 10) + "}");
        if (load.size() == 1000) {
          batch(b, load);
          load.clear();
        }
      }
      java.util.concurrent.atomic.AtomicBoolean stop =
          new java.util.concurrent.atomic.AtomicBoolean();
      java.util.concurrent.ConcurrentHashMap<String, Integer> written =
          new java.util.concurrent.ConcurrentHashMap<>();
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(2);
      List<java.util.concurrent.Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        int seed = w;
        writers.add(
            pool.submit(
                () -> {
                  java.util.Random rng = new java.util.Random(seed);
                  long until = System.currentTimeMillis() + 10_000;
                  while (!stop.get() && System.currentTimeMillis() < until) {
                    String key = "k" + rng.nextInt(3000);
                    int g = 10 + rng.nextInt(5);
                    synchronized (written) {
                      put(b, key, "{\"g\":" + g + "}");
                      written.put(key, g);
                    }
                  }
                }));
      }
      Thread.sleep(200);
      given()
          .contentType(ContentType.JSON)
          .body("{" + indexing("g", "number") + "}")
          .put(KV + b)
          .then()
          .statusCode(200);
      Thread.sleep(300);
      stop.set(true);
      for (var f : writers) {
        f.get();
      }
      pool.shutdown();
      awaitTrue(
          Duration.ofSeconds(30),
          "the backfill ends",
          () -> !bucketDetail(b).getBoolean("status.indexing.backfilling"));
      for (int g = 0; g < 15; g++) {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
          String key = "k" + i;
          int now = written.getOrDefault(key, i % 10);
          if (now == g) {
            expected.add(key);
          }
        }
        assertEquals(
            expected.stream().sorted().toList(),
            allKeys(b, 1000, "field", "g", "search", "" + g),
            "g=" + g);
      }
      Response all = search(b, "field", "g", "min", "0", "max", "100");
      assertEquals(3000, all.jsonPath().getInt("body.results_total"));
      assertNull(all.jsonPath().get("metadata.backfilling"));
    }

    @Test
    void searchesDuringABackfillSaySo() {
      String b = newBucket();
      Map<String, String> load = new LinkedHashMap<>();
      for (int i = 0; i < 10_000; i++) {
        load.put(String.format("k%05d", i), "{\"g\":1}");
        if (load.size() == 1000) {
          batch(b, load);
          load.clear();
        }
      }
      // The request does one slice (the test profile gives it no more time); the rest goes on in
      // the background.
      Response changed =
          given()
              .contentType(ContentType.JSON)
              .body("{" + indexing("g", "number") + "}")
              .put(KV + b);
      assertEquals(200, changed.statusCode());
      boolean sawBackfilling = false;
      long deadline = System.currentTimeMillis() + 60_000;
      while (System.currentTimeMillis() < deadline) {
        JsonPath j = search(b, "field", "g", "search", "1").jsonPath();
        if (j.get("metadata.backfilling") != null) {
          sawBackfilling = true;
          assertTrue(j.getLong("metadata.backfill_done") <= 10_000);
          JsonPath d = bucketDetail(b);
          if (d.getBoolean("status.indexing.backfilling")) {
            assertNotNull(d.get("status.indexing.backfill_done"));
          }
        } else {
          assertEquals(10_000, j.getInt("body.results_total"));
          break;
        }
      }
      assertTrue(sawBackfilling, "the backfill goes on after the request");
      awaitTrue(
          Duration.ofSeconds(60),
          "the backfill ends",
          () ->
              search(b, "field", "g", "search", "1").jsonPath().getInt("body.results_total")
                  == 10_000);
    }
  }
}
