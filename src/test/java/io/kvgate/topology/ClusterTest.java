package io.kvgate.topology;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvgate.redis.RedisKvStore;
import io.kvgate.security.RateCounters;
import io.kvgate.support.RedisCluster;
import io.kvgate.support.RedisServer;
import io.kvgate.support.Resp;
import io.kvgate.support.SseStream;
import io.kvgate.support.TestAuth;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

/**
 * Every operation of both dialects on a real 3-master Redis Cluster: buckets spread over all
 * masters, each runs its scripts where its slot lives (also after the masters forget every script),
 * and all keys of a bucket, and of a tenant's index, stay in one slot.
 */
@QuarkusTest
@TestProfile(Topologies.ClusterProfile.class)
class ClusterTest {
  @Inject RedisKvStore store;
  @Inject RateCounters counters;

  static RedisCluster cluster() {
    return Topologies.cluster();
  }

  static String newBucket(String settings) {
    String name = "c" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    given()
        .contentType(ContentType.JSON)
        .body("{\"bucket\":\"" + name + "\"" + settings + "}")
        .post("/storage/kv")
        .then()
        .statusCode(200);
    return name;
  }

  static String idOf(String bucket) {
    return given()
        .get("/storage/kv/" + bucket)
        .then()
        .statusCode(200)
        .extract()
        .path("body.stream_info.config.metadata.bucket_id");
  }

  static Response put(String bucket, String key, String json) {
    return given()
        .contentType(ContentType.JSON)
        .body(json)
        .put("/storage/kv/" + bucket + "/entries/" + key);
  }

  static Response get(String bucket, String key) {
    return given().get("/storage/kv/" + bucket + "/entries/" + key);
  }

  /** The master that serves a slot (the one whose GETKEYSINSLOT is not refused). */
  static RedisServer ownerOf(long slot) {
    for (RedisServer m : cluster().masters()) {
      Object r = Resp.call(m.port(), "CLUSTER", "COUNTKEYSINSLOT", Long.toString(slot));
      Object owner = Resp.call(m.port(), "CLUSTER", "NODES");
      String myself =
          ((String) owner).lines().filter(l -> l.contains("myself")).findFirst().orElseThrow();
      for (String range : myself.split(" ")) {
        if (range.matches("\\d+-\\d+")) {
          String[] ends = range.split("-");
          if (slot >= Long.parseLong(ends[0]) && slot <= Long.parseLong(ends[1])) {
            assertTrue(r instanceof Long);
            return m;
          }
        }
      }
    }
    throw new AssertionError("no master serves slot " + slot);
  }

  static void await(String what, BooleanSupplier condition) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (!condition.getAsBoolean()) {
      assertTrue(System.currentTimeMillis() < deadline, "timed out waiting until " + what);
      sleep(50);
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void readinessIsUpOnAHealthyCluster() {
    given().get("/q/health/ready").then().statusCode(200);
  }

  @Test
  void bucketsOnEveryMasterRunEveryScriptAlsoAfterTheMastersForgetThem() {
    // Buckets until each master serves at least one of them.
    Set<Integer> masters = new HashSet<>();
    List<String> buckets = new ArrayList<>();
    for (int i = 0; i < 60 && masters.size() < 3; i++) {
      String b = newBucket(",\"history\":3");
      long slot = cluster().keySlot("kvg:{" + idOf(b) + "}:m");
      if (masters.add(ownerOf(slot).port())) {
        buckets.add(b);
      }
    }
    assertEquals(3, masters.size(), "buckets landed on every master");
    for (RedisServer m : cluster().masters()) {
      assertEquals("OK", Resp.call(m.port(), "SCRIPT", "FLUSH"));
    }
    for (String b : buckets) {
      assertEquals(200, put(b, "k", "{\"v\":1}").statusCode());
      Response r = get(b, "k");
      assertEquals(200, r.statusCode());
      assertEquals("\"1\"", r.header("ETag"));
      assertEquals(1, r.jsonPath().getInt("body.value.v"));
    }
  }

  @Test
  void entriesCasHistoryAndDeletes() {
    String b = newBucket(",\"history\":5");
    assertEquals(200, put(b, "user/1", "{\"name\":\"Ada\"}").statusCode());
    assertEquals(
        412,
        given()
            .contentType(ContentType.JSON)
            .header("If-Match", "\"7\"")
            .body("{\"name\":\"X\"}")
            .put("/storage/kv/" + b + "/entries/user/1")
            .statusCode());
    assertEquals(
        200,
        given()
            .contentType(ContentType.JSON)
            .header("If-Match", "\"1\"")
            .body("{\"name\":\"Ada L.\"}")
            .put("/storage/kv/" + b + "/entries/user/1")
            .statusCode());
    assertEquals(
        304,
        given()
            .header("If-None-Match", "\"2\"")
            .get("/storage/kv/" + b + "/entries/user/1")
            .statusCode());
    assertEquals(
        "Ada",
        given()
            .get("/storage/kv/" + b + "/entries/user/1?revision=1")
            .then()
            .statusCode(200)
            .extract()
            .path("body.value.name"));
    List<Long> revisions =
        given()
            .get("/storage/kv/" + b + "/entries/user/1/history")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getList("body.results.revision", Long.class);
    assertEquals(List.of(1L, 2L), revisions);
    assertEquals(200, given().delete("/storage/kv/" + b + "/entries/user/1").statusCode());
    assertEquals(404, get(b, "user/1").statusCode());
    // Bucket update, purge and delete.
    given()
        .contentType(ContentType.JSON)
        .body("{\"description\":\"on a cluster\"}")
        .put("/storage/kv/" + b)
        .then()
        .statusCode(200);
    put(b, "again", "{\"v\":1}").then().statusCode(200);
    given().delete("/storage/kv/" + b + "/purge").then().statusCode(200);
    assertEquals(404, get(b, "again").statusCode());
    assertTrue(
        given()
            .get("/storage/kv")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getList("body.results.name")
            .contains(b));
    given().delete("/storage/kv/" + b).then().statusCode(200);
    assertEquals(404, given().get("/storage/kv/" + b).statusCode());
  }

  @Test
  void ttlExpiresAndTheReaperFreesTheBytes() {
    String b = newBucket("");
    String id = idOf(b);
    put(b, "keep", "{\"v\":1}").then().statusCode(200);
    given()
        .contentType(ContentType.JSON)
        .body("{\"v\":2}")
        .put("/storage/kv/" + b + "/entries/short?ttl=1")
        .then()
        .statusCode(200);
    String meta = "kvg:{" + id + "}:m";
    RedisServer owner = ownerOf(cluster().keySlot(meta));
    assertEquals("2", Resp.call(owner.port(), "HGET", meta, "count"));
    // Nothing reads the bucket: only the background reaper can take the count down.
    await(
        "the reaper removed the expired entry",
        () -> "1".equals(Resp.call(owner.port(), "HGET", meta, "count")));
    assertEquals(404, get(b, "short").statusCode());
    // Touch gives an entry an expiry of its own, keeping its value and revision.
    given().post("/storage/kv/" + b + "/entries/keep/touch?ttl=100").then().statusCode(200);
    assertEquals("\"1\"", get(b, "keep").header("ETag"));
  }

  @Test
  void listWithCursorsSearchBatchAndBulkGet() {
    String b = newBucket("");
    for (int i = 0; i < 25; i++) {
      put(b, String.format("item/%02d", i), "{\"i\":" + i + "}").then().statusCode(200);
    }
    List<String> seen = new ArrayList<>();
    String cursor = null;
    do {
      Response page =
          given()
              .queryParam("limit", 10)
              .queryParam("prefix", "item/")
              .queryParams(cursor == null ? java.util.Map.of() : java.util.Map.of("cursor", cursor))
              .get("/storage/kv/" + b + "/entries");
      assertEquals(200, page.statusCode(), page.asString());
      assertEquals(25, page.jsonPath().getInt("body.results_total"));
      seen.addAll(page.jsonPath().getList("body.results.key"));
      cursor = page.jsonPath().getString("body.next_cursor");
    } while (cursor != null);
    assertEquals(25, seen.size());
    assertEquals("item/00", seen.get(0));
    assertEquals("item/24", seen.get(24));
    List<String> found =
        given()
            .queryParam("search", "item/1?")
            .get("/storage/kv/" + b + "/search-by-key")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getList("body.results.key");
    assertEquals(10, found.size());
    Response batch =
        given()
            .contentType(ContentType.JSON)
            .body(
                "{\"checks\":[{\"key\":\"item/00\",\"revision\":1},{\"key\":\"new\",\"absent\":true}],"
                    + "\"mutations\":[{\"op\":\"put\",\"key\":\"new\",\"value\":{\"n\":1}},"
                    + "{\"op\":\"increment\",\"key\":\"item/01\",\"field\":\"i\",\"by\":41},"
                    + "{\"op\":\"delete\",\"key\":\"item/02\"}]}")
            .post("/storage/kv/" + b + "/batch");
    assertEquals(200, batch.statusCode(), batch.asString());
    Response bulk =
        given()
            .contentType(ContentType.JSON)
            .body("{\"keys\":[\"new\",\"item/01\",\"item/02\"]}")
            .post("/storage/kv/" + b + "/bulk-get");
    assertEquals(200, bulk.statusCode(), bulk.asString());
    assertEquals(1, bulk.jsonPath().getInt("body.results[0].value.n"));
    assertEquals(42, bulk.jsonPath().getInt("body.results[1].value.i"));
    assertNull(bulk.jsonPath().get("body.results[2].value"));
  }

  static List<String> searchKeys(String bucket, String... params) {
    var req = given();
    for (int i = 0; i < params.length; i += 2) {
      req = req.queryParam(params[i], params[i + 1]);
    }
    Response r = req.get("/storage/kv/" + bucket + "/search");
    assertEquals(200, r.statusCode(), r.asString());
    return r.jsonPath().getList("body.results.key");
  }

  @Test
  void fieldSearchIndexesLiveInTheBucketsSlotOnEveryMaster() {
    String mappings =
        ",\"indexing\":{\"mappings\":[{\"field\":\"n\",\"field_type\":\"number\"},"
            + "{\"field\":\"tag\",\"field_type\":\"keyword\"},"
            + "{\"field\":\"title\",\"field_type\":\"text\"}]}";
    Set<Integer> masters = new HashSet<>();
    for (int round = 0; round < 60 && masters.size() < 3; round++) {
      String b = newBucket(mappings);
      String id = idOf(b);
      long slot = cluster().keySlot("kvg:{" + id + "}:m");
      RedisServer owner = ownerOf(slot);
      if (!masters.add(owner.port())) {
        given().delete("/storage/kv/" + b).then().statusCode(200);
        continue;
      }
      for (int i = 0; i < 12; i++) {
        String json =
            "{\"n\":" + i + ",\"tag\":\"t" + (i % 3) + "\",\"title\":\"Quick fox " + i + "\"}";
        assertEquals(200, put(b, "k" + i, json).statusCode());
      }
      assertEquals(
          List.of("k3", "k4", "k5"),
          searchKeys(b, "field", "n", "search_type", "range", "min", "3", "max", "5"));
      assertEquals(4, searchKeys(b, "field", "tag", "search", "t1", "limit", "10").size());
      assertEquals(
          12,
          searchKeys(b, "field", "title", "search", "quikc", "search_type", "fuzzy", "limit", "20")
              .size());
      given().delete("/storage/kv/" + b + "/entries/k4").then().statusCode(200);
      assertEquals(
          List.of("k3", "k5"),
          searchKeys(b, "field", "n", "search_type", "range", "min", "3", "max", "5"));
      // Every index key the scripts made is in the bucket's slot, on its master.
      List<?> inSlot =
          (List<?>)
              Resp.call(owner.port(), "CLUSTER", "GETKEYSINSLOT", Long.toString(slot), "1000");
      assertTrue(
          inSlot.stream().anyMatch(k -> k.toString().startsWith("kvg:{" + id + "}:i:")),
          "index keys in the bucket's slot: " + inSlot);
      for (Object k : inSlot) {
        assertEquals(slot, cluster().keySlot(k.toString()), k.toString());
      }
      // A mapping change backfills on the cluster too.
      given()
          .contentType(ContentType.JSON)
          .body("{\"indexing\":{\"mappings\":[{\"field\":\"tag\",\"field_type\":\"text\"}]}}")
          .put("/storage/kv/" + b)
          .then()
          .statusCode(200);
      await(
          "the backfill of " + b,
          () ->
              !given()
                  .get("/storage/kv/" + b)
                  .then()
                  .extract()
                  .jsonPath()
                  .getBoolean("body.status.indexing.backfilling"));
      assertEquals(List.of("k1", "k10", "k7"), searchKeys(b, "field", "tag", "search", "T1"));
    }
    assertEquals(3, masters.size(), "indexed buckets landed on every master");
  }

  @Test
  void deleteByPrefixNowAndInTheBackground() {
    String b = newBucket("");
    for (int i = 0; i < 5; i++) {
      put(b, "tmp/" + i, "{}").then().statusCode(200);
      put(b, "old/" + i, "{}").then().statusCode(200);
    }
    Response now = given().delete("/storage/kv/" + b + "/entries?prefix=tmp/");
    assertEquals(200, now.statusCode(), now.asString());
    assertEquals(5, now.jsonPath().getInt("deleted"));
    // The background path: handed to the pending set, carried on by the reaper's replica.
    store
        .deletePrefixLater(io.kvgate.core.BucketRef.named("default", b), "old/")
        .await()
        .atMost(Duration.ofSeconds(5));
    await(
        "the background delete emptied the bucket",
        () ->
            given()
                    .get("/storage/kv/" + b)
                    .then()
                    .extract()
                    .jsonPath()
                    .getInt("body.status.entries")
                == 0);
  }

  @Test
  void watchesOfBucketsOnDifferentMastersGetTheirChanges() throws Exception {
    // Two buckets in different slots: one reader must not read them in one command.
    String a = newBucket("");
    String c = newBucket("");
    while (cluster().keySlot("kvg:{" + idOf(c) + "}:s")
        == cluster().keySlot("kvg:{" + idOf(a) + "}:s")) {
      c = newBucket("");
    }
    try (SseStream wa = watch(a, "");
        SseStream wc = watch(c, "?mode=snapshot")) {
      assertEquals(200, wa.status());
      assertEquals(200, wc.status());
      assertEquals("snapshot-complete", wc.next("snapshot-complete").name());
      put(a, "x", "{\"v\":1}").then().statusCode(200);
      put(c, "y", "{\"v\":2}").then().statusCode(200);
      SseStream.Event ea = wa.next("put");
      SseStream.Event ec = wc.next("put");
      assertEquals("x", ea.json().get("key").asText());
      assertEquals("y", ec.json().get("key").asText());
      assertEquals(2, ec.json().get("value").get("v").asInt());
      given().delete("/storage/kv/" + a + "/entries/x").then().statusCode(200);
      assertEquals("x", wa.next("delete").json().get("key").asText());
    }
  }

  static SseStream watch(String bucket, String query) {
    return SseStream.open(
        URI.create(
            "http://localhost:" + RestAssured.port + "/storage/kv/" + bucket + "/watch" + query),
        "X-Api-Key",
        TestAuth.BOOTSTRAP_KEY);
  }

  @Test
  void apiKeysAreMadeUsedAndRevoked() {
    String b = newBucket("");
    put(b, "k", "{\"v\":1}").then().statusCode(200);
    Response made =
        given()
            .contentType(ContentType.JSON)
            .body("{\"name\":\"reader\",\"permissions\":[\"kv:read\"],\"buckets\":[\"" + b + "\"]}")
            .post("/auth/api-keys");
    assertEquals(201, made.statusCode(), made.asString());
    String key = made.jsonPath().getString("key");
    String id = made.jsonPath().getString("id");
    assertEquals(
        200, given().header("X-Api-Key", key).get("/storage/kv/" + b + "/entries/k").statusCode());
    assertEquals(
        403,
        given()
            .header("X-Api-Key", key)
            .contentType(ContentType.JSON)
            .body("{}")
            .put("/storage/kv/" + b + "/entries/k")
            .statusCode());
    assertTrue(
        given()
            .get("/auth/api-keys")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getList("results.id")
            .contains(id));
    assertEquals(204, given().delete("/auth/api-keys/" + id).statusCode());
    await(
        "the revoked key is refused",
        () ->
            given().header("X-Api-Key", key).get("/storage/kv/" + b + "/entries/k").statusCode()
                == 401);
  }

  @Test
  void rateCountersAddUpInTheCluster() {
    String subject = "p:" + UUID.randomUUID();
    long window = System.currentTimeMillis() / 1000;
    assertEquals(
        3L, counters.add(subject, window, 3, 60_000).await().atMost(Duration.ofSeconds(5)));
    assertEquals(
        7L, counters.add(subject, window, 4, 60_000).await().atMost(Duration.ofSeconds(5)));
    String key = "kvg:rl:" + subject + ":" + window;
    RedisServer owner = ownerOf(cluster().keySlot(key));
    assertEquals("7", Resp.call(owner.port(), "GET", key));
    long ttl = (Long) Resp.call(owner.port(), "PTTL", key);
    assertTrue(ttl > 0 && ttl <= 60_000, "the counter expires on its own: " + ttl);
  }

  @Test
  void apifyStoresRecordsKeysAndZip() throws IOException {
    String name = "v" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    Response created = given().post("/v2/key-value-stores?name=" + name);
    assertEquals(201, created.statusCode(), created.asString());
    String storeId = created.jsonPath().getString("data.id");
    String records = "/v2/key-value-stores/" + storeId + "/records/";
    for (String k : List.of("a", "b", "c")) {
      assertEquals(
          201,
          given().contentType("text/plain").body("value of " + k).put(records + k).statusCode());
    }
    assertEquals(
        "value of b", given().get(records + "b").then().statusCode(200).extract().asString());
    List<String> keys =
        given()
            .get("/v2/key-value-stores/" + storeId + "/keys")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getList("data.items.key");
    assertEquals(List.of("a", "b", "c"), keys);
    byte[] zip =
        given()
            .get("/v2/key-value-stores/" + storeId + "/records")
            .then()
            .statusCode(200)
            .contentType("application/zip")
            .extract()
            .asByteArray();
    List<String> files = new ArrayList<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        files.add(e.getName());
      }
    }
    assertEquals(3, files.size(), files.toString());
    assertEquals(204, given().delete(records + "a").statusCode());
    assertEquals(404, given().get(records + "a").statusCode());

    // Every key of the store's bucket is in one slot, and that slot holds them all.
    String id = storeId;
    List<String> ofBucket = cluster().scan("kvg:{" + id + "}:*");
    assertTrue(ofBucket.size() >= 4, "the bucket's keys: " + ofBucket);
    Set<Long> slots = new HashSet<>();
    for (String k : ofBucket) {
      slots.add(cluster().keySlot(k));
    }
    assertEquals(1, slots.size(), "one slot for " + ofBucket);
    assertTrue(cluster().keysInSlot(slots.iterator().next()).containsAll(ofBucket));
    // So are the tenant's indexes.
    Set<Long> tenantSlots = new HashSet<>();
    List<String> ofTenant = cluster().scan("kvg:{t:default}:*");
    assertFalse(ofTenant.isEmpty());
    for (String k : ofTenant) {
      tenantSlots.add(cluster().keySlot(k));
    }
    assertEquals(1, tenantSlots.size(), "one slot for " + ofTenant);

    assertEquals(204, given().delete("/v2/key-value-stores/" + storeId).statusCode());
    await(
        "the store's keys are gone but its gone-event stream",
        () -> cluster().scan("kvg:{" + id + "}:*").stream().allMatch(k -> k.endsWith(":s")));
    assertNotNull(id);
  }
}
