package io.kvgate.apify;

import static io.kvgate.apify.V2Calls.allBytes;
import static io.kvgate.apify.V2Calls.assertError;
import static io.kvgate.apify.V2Calls.createStore;
import static io.kvgate.apify.V2Calls.createUnnamed;
import static io.kvgate.apify.V2Calls.getStore;
import static io.kvgate.apify.V2Calls.gzip;
import static io.kvgate.apify.V2Calls.keyNames;
import static io.kvgate.apify.V2Calls.keysPage;
import static io.kvgate.apify.V2Calls.newName;
import static io.kvgate.apify.V2Calls.record;
import static io.kvgate.apify.V2Calls.resource;
import static io.kvgate.apify.V2Calls.store;
import static io.kvgate.apify.V2Calls.tree;
import static io.kvgate.apify.V2Calls.updateStore;
import static io.kvgate.apify.V2Calls.utf8;
import static io.kvgate.apify.V2Calls.v2;
import static io.kvgate.apify.V2Calls.write;
import static io.kvgate.apify.V2Calls.writeEncoded;
import static io.kvgate.apify.V2Calls.writeJson;
import static io.kvgate.apify.V2Calls.writeText;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kvgate.support.QuivaOpenApi;
import io.kvgate.support.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * One storage core under two dialects: a bucket of {@code /storage/kv} is a named store of {@code
 * /v2}, an entry is a record, and each side reads what the other wrote.
 */
@QuarkusTest
@WithTestResource(RedisResource.class)
class OneModelTest {
  private static final String KV = "/storage/kv/";

  /** Creates a bucket through /storage/kv (K2). */
  static void createBucket(String name) {
    v2().contentType(ContentType.JSON)
        .body("{\"bucket\":\"" + name + "\"}")
        .post("/storage/kv")
        .then()
        .statusCode(200);
  }

  /** Writes a JSON object through /storage/kv (K9). */
  static void putEntry(String bucket, String key, String json) {
    v2().contentType(ContentType.JSON)
        .body(json)
        .put(KV + bucket + "/entries/" + key)
        .then()
        .statusCode(200);
  }

  /** K3 of a bucket. */
  static JsonNode details(String bucket) {
    Response r = v2().get(KV + bucket);
    assertEquals(200, r.statusCode(), r.asString());
    return tree(r.asByteArray());
  }

  /** The {@code body.value} of K8. */
  static JsonNode entryValue(String bucket, String key) {
    Response r = v2().get(KV + bucket + "/entries/" + key);
    assertEquals(200, r.statusCode(), r.asString());
    return tree(r.asByteArray()).path("body").path("value");
  }

  /** The names K1 lists. */
  static List<String> bucketNames() {
    Response r = v2().get("/storage/kv");
    assertEquals(200, r.statusCode());
    return r.jsonPath().getList("body.results.name");
  }

  @Nested
  class BucketsAreStores {
    @Test
    void aBucketIsANamedStoreWithTheSameIdAndStats() {
      String name = newName();
      createBucket(name);
      putEntry(name, "a", "{\"v\":1}");
      putEntry(name, "b", "{\"vv\":22}");
      JsonNode s = getStore("~" + name);
      JsonNode k3 = details(name).path("body");
      assertEquals(name, s.path("name").asText());
      assertEquals(
          k3.path("stream_info").path("config").path("metadata").path("bucket_id").asText(),
          s.path("id").asText());
      assertEquals(
          k3.path("status").path("bytes").asLong(), s.path("stats").path("storageBytes").asLong());
      assertEquals(16, s.path("stats").path("storageBytes").asLong());
      assertEquals(2, s.path("stats").path("writeCount").asLong());
      assertEquals(List.of("a", "b"), keyNames(keysPage(s.path("id").asText(), "")));
    }

    @Test
    void anEntryIsAJsonRecord() {
      String name = newName();
      createBucket(name);
      putEntry(name, "cfg", "{\"x\":[1,2],\"y\":\"z\"}");
      Response r = v2().get(record("~" + name, "cfg"));
      assertEquals(200, r.statusCode());
      assertTrue(r.header("Content-Type").startsWith("application/json"), r.header("Content-Type"));
      assertEquals(tree("{\"x\":[1,2],\"y\":\"z\"}"), tree(r.asByteArray()));
    }

    @Test
    void aStoreMadeHereWithANameIsABucketThere() {
      String name = newName();
      String id = createStore(name).path("id").asText();
      assertTrue(bucketNames().contains(name));
      JsonNode k3 = details(name).path("body");
      assertEquals(
          id, k3.path("stream_info").path("config").path("metadata").path("bucket_id").asText());
    }

    @Test
    void anUnnamedStoreIsNotABucket() {
      List<String> before = bucketNames();
      createUnnamed();
      List<String> after = bucketNames();
      assertEquals(before.size(), after.size(), "K1 lists the unnamed store");
      assertFalse(after.contains(null), "K1 lists a bucket without a name");
    }

    @Test
    void aRenameHereRenamesTheBucket() {
      String old = newName();
      String id = createStore(old).path("id").asText();
      String name = newName();
      updateStore(v2(), id, "{\"name\":\"" + name + "\"}").then().statusCode(200);
      List<String> names = bucketNames();
      assertTrue(names.contains(name));
      assertFalse(names.contains(old));
    }

    @Test
    void deletingOnEitherSideDeletesForBoth() {
      String a = newName();
      String idA = createStore(a).path("id").asText();
      v2().delete(KV + a).then().statusCode(200);
      assertError(v2().get(store(idA)), 404, "record-not-found");

      String b = newName();
      createBucket(b);
      v2().delete(store("~" + b)).then().statusCode(204);
      QuivaOpenApi.assertError(v2().get(KV + b), 404, "not_found");
    }
  }

  @Nested
  class RecordsAreEntries {
    @Test
    void aJsonRecordReadsAsItsJsonValue() {
      String name = newName();
      String id = createStore(name).path("id").asText();
      writeJson(id, "doc", "{\"a\": [1, 2.5, null], \"b\": {\"c\": true}}");
      assertEquals(tree("{\"a\":[1,2.5,null],\"b\":{\"c\":true}}"), entryValue(name, "doc"));
    }

    @Test
    void aJsonRecordWithAPlusJsonTypeReadsAsJson() {
      String name = newName();
      String id = createStore(name).path("id").asText();
      write(id, "ld", "application/ld+json", utf8("{\"@id\":\"x\"}"));
      assertEquals(tree("{\"@id\":\"x\"}"), entryValue(name, "ld"));
    }

    @Test
    void aBrotliJsonRecordReadsDecoded() {
      String name = newName();
      String id = createStore(name).path("id").asText();
      writeEncoded(
          id, "br", "application/json; charset=utf-8", "br", resource("apify/record.json.br"));
      assertEquals(tree(resource("apify/record.json")), entryValue(name, "br"));
    }

    @Test
    void aGzipJsonRecordReadsDecoded() {
      String name = newName();
      String id = createStore(name).path("id").asText();
      writeEncoded(id, "gz", "application/json", "gzip", gzip(utf8("{\"g\":1}")));
      assertEquals(tree("{\"g\":1}"), entryValue(name, "gz"));
    }

    @Test
    void aTextRecordReadsAsAJsonString() {
      String name = newName();
      String id = createStore(name).path("id").asText();
      writeText(id, "t", "hello, Grüße");
      JsonNode value = entryValue(name, "t");
      assertTrue(value.isTextual(), value.toString());
      assertEquals("hello, Grüße", value.asText());
    }

    @Test
    void aBinaryRecordIs415Alone() {
      String name = newName();
      String id = createStore(name).path("id").asText();
      write(id, "bin", "application/octet-stream", allBytes());
      QuivaOpenApi.assertError(v2().get(KV + name + "/entries/bin"), 415, "unsupported_media_type");
    }

    @Test
    void aBinaryRecordIsNullInAList() {
      String name = newName();
      String id = createStore(name).path("id").asText();
      write(id, "bin", "application/octet-stream", allBytes());
      writeJson(id, "json", "{\"j\":1}");
      Response r = v2().get(KV + name + "/entries");
      assertEquals(200, r.statusCode(), r.asString());
      JsonNode results = tree(r.asByteArray()).path("body").path("results");
      assertEquals("bin", results.get(0).path("key").asText());
      assertTrue(results.get(0).path("value").isNull(), results.toString());
      assertEquals(tree("{\"j\":1}"), results.get(1).path("value"));
    }

    @Test
    void aRecordDeletedHereIsGoneThere() {
      String name = newName();
      createBucket(name);
      putEntry(name, "k", "{\"v\":1}");
      v2().delete(record("~" + name, "k")).then().statusCode(204);
      QuivaOpenApi.assertError(v2().get(KV + name + "/entries/k"), 404, "not_found");
    }
  }
}
