package io.kvgate.quiva;

import static io.kvgate.quiva.KvCalls.assertError;
import static io.kvgate.quiva.KvCalls.assertSuccess;
import static io.kvgate.quiva.KvCalls.assertUntouched;
import static io.kvgate.quiva.KvCalls.bucketId;
import static io.kvgate.quiva.KvCalls.create;
import static io.kvgate.quiva.KvCalls.details;
import static io.kvgate.quiva.KvCalls.listed;
import static io.kvgate.quiva.KvCalls.listedNames;
import static io.kvgate.quiva.KvCalls.newName;
import static io.kvgate.quiva.KvCalls.put;
import static io.kvgate.quiva.KvCalls.redisKeysOf;
import static io.kvgate.quiva.KvCalls.write;
import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.matchesPattern;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** K1-K6 of {@code /storage/kv} and the bucket limits, against the real service and Redis. */
@QuarkusTest
@WithTestResource(RedisResource.class)
class BucketsTest {
  /** Go's duration format, as in "3ms", "412µs", "1.2s". */
  private static final String GO_DURATION = "^[0-9]+(\\.[0-9]+)?(ns|µs|μs|ms|s)$";

  private static Response post(String json) {
    return given().contentType(ContentType.JSON).body(json).post("/storage/kv");
  }

  private static Response update(String bucket, String json) {
    return given().contentType(ContentType.JSON).body(json).put("/storage/kv/" + bucket);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Nested
  class K1ListBuckets {
    @Test
    void listsABucketWithNameDescriptionEntryTotalAndCreated() {
      String bucket = create("{\"description\":\"orders\"}");
      Map<String, Object> item = listed(bucket);
      assertNotNull(item, bucket + " is not listed");
      assertEquals("orders", item.get("description"));
      assertEquals(0, ((Number) item.get("entry_total")).intValue());
      Instant created = Instant.parse((String) item.get("created"));
      assertTrue(created.isBefore(Instant.now().plusSeconds(5)), "created " + created);
    }

    @Test
    void matchesThePublicSchema() {
      create();
      String json = given().get("/storage/kv").then().statusCode(200).extract().asString();
      QuivaOpenApi.assertMatches("BucketListResponse", json);
    }

    @Test
    void metadataHasOnlyAGoStyleDuration() {
      create();
      JsonPath list = given().get("/storage/kv").then().statusCode(200).extract().jsonPath();
      Map<String, Object> metadata = list.getMap("metadata");
      assertEquals(List.of("duration"), List.copyOf(metadata.keySet()));
      assertThat(list.getString("metadata.duration"), matchesPattern(GO_DURATION));
    }

    @Test
    void resultsTotalIsTheNumberOfResults() {
      create();
      create();
      JsonPath list = given().get("/storage/kv").then().statusCode(200).extract().jsonPath();
      assertEquals(list.getList("body.results").size(), list.getInt("body.results_total"));
    }

    @Test
    void listsOldestFirst() {
      String first = create();
      sleep(5);
      String second = create();
      sleep(5);
      String third = create();
      List<String> names = listedNames();
      assertTrue(
          names.indexOf(first) < names.indexOf(second)
              && names.indexOf(second) < names.indexOf(third),
          "order " + names);
    }

    @Test
    void entryTotalCountsLiveEntries() {
      String bucket = create();
      write(bucket, "a", "{\"v\":1}");
      write(bucket, "b", "{\"v\":2}");
      write(bucket, "a", "{\"v\":3}");
      assertEquals(2, ((Number) listed(bucket).get("entry_total")).intValue());
    }

    @Test
    void entryTotalLeavesOutExpiredEntries() {
      String bucket = create();
      given()
          .contentType(ContentType.JSON)
          .body("{\"v\":1}")
          .put("/storage/kv/" + bucket + "/entries/short?ttl=1")
          .then()
          .statusCode(200);
      write(bucket, "long", "{\"v\":2}");
      sleep(1500);
      assertEquals(1, ((Number) listed(bucket).get("entry_total")).intValue());
    }

    @Test
    void deletedBucketIsNotListed() {
      String bucket = create();
      given().delete("/storage/kv/" + bucket).then().statusCode(200);
      assertNull(listed(bucket));
    }
  }

  @Nested
  class K2CreateBucket {
    @Test
    void createsABucketWithTheDefaults() {
      String name = newName();
      assertSuccess(post("{\"bucket\":\"" + name + "\"}"));
      JsonPath d = details(name);
      assertEquals(1, d.getInt("body.config.history"));
      assertEquals(0, d.getLong("body.config.ttl"));
      assertEquals(-1, d.getLong("body.config.max_bytes"));
      assertEquals(-1, d.getLong("body.config.max_value_size"));
      assertEquals(1, d.getInt("body.config.num_replicas"));
      assertEquals("file", d.getString("body.config.storage"));
      assertFalse(d.getBoolean("body.config.compression"));
      assertEquals("", d.getString("body.config.description"));
    }

    @Test
    void createsABucketWithEverySetting() {
      String name = newName();
      assertSuccess(
          post(
              "{\"bucket\":\""
                  + name
                  + "\",\"description\":\"all\",\"compression\":true,\"history\":64,"
                  + "\"max_bytes\":10737418240,\"max_value_size\":1048576,\"replicas\":5,"
                  + "\"storage\":\"memory\",\"ttl\":315360000}"));
      JsonPath d = details(name);
      assertEquals("all", d.getString("body.config.description"));
      assertTrue(d.getBoolean("body.config.compression"));
      assertEquals(64, d.getInt("body.config.history"));
      assertEquals(10737418240L, d.getLong("body.config.max_bytes"));
      assertEquals(1048576, d.getLong("body.config.max_value_size"));
      assertEquals(5, d.getInt("body.config.num_replicas"));
      assertEquals("memory", d.getString("body.config.storage"));
      assertEquals(315360000L, d.getLong("body.config.ttl"));
    }

    @ParameterizedTest(name = "storage {0} is {1}")
    @CsvSource({"0, file", "1, memory", "\"file\", file", "\"memory\", memory"})
    void acceptsStorageAsNameOrOlderInteger(String given, String stored) {
      String name = newName();
      assertSuccess(post("{\"bucket\":\"" + name + "\",\"storage\":" + given + "}"));
      assertEquals(stored, details(name).getString("body.config.storage"));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
      "history, 1",
      "history, 64",
      "replicas, 1",
      "replicas, 5",
      "ttl, 0",
      "ttl, 315360000",
      "max_bytes, 1",
      "max_bytes, -1",
      "max_value_size, 1",
      "max_value_size, -1",
      "max_value_size, 2147483647"
    })
    void acceptsTheBoundsOfEachRange(String field, String value) {
      String name = newName();
      assertSuccess(post("{\"bucket\":\"" + name + "\",\"" + field + "\":" + value + "}"));
      String shown = field.equals("replicas") ? "num_replicas" : field;
      assertEquals(Long.parseLong(value), details(name).getLong("body.config." + shown));
    }

    @Test
    void acceptsANameOf63Characters() {
      String name = (newName() + "x".repeat(63)).substring(0, 63);
      assertSuccess(post("{\"bucket\":\"" + name + "\"}"));
      details(name);
    }

    @Test
    void ignoresUnknownFields() {
      String name = newName();
      assertSuccess(
          post("{\"bucket\":\"" + name + "\",\"placement\":{\"cluster\":\"x\"},\"foo\":[1]}"));
      details(name);
    }

    @Test
    void acceptsANullIndexing() {
      String name = newName();
      assertSuccess(post("{\"bucket\":\"" + name + "\",\"indexing\":null}"));
    }

    @Test
    void acceptsJsonWithACharsetAndJsonSuffixTypes() {
      String a = newName();
      String b = newName();
      assertSuccess(
          given()
              .contentType("application/json; charset=utf-8")
              .body("{\"bucket\":\"" + a + "\"}")
              .post("/storage/kv"));
      assertSuccess(
          given()
              .contentType("application/merge-patch+json")
              .body("{\"bucket\":\"" + b + "\"}")
              .post("/storage/kv"));
    }

    @Test
    void existingNameIs400ValidationErrorSayingItExists() {
      String bucket = create();
      Response r = post("{\"bucket\":\"" + bucket + "\"}");
      assertError(r, 400, "validation_error");
      assertThat(r.jsonPath().getString("message"), containsString("exists"));
    }

    @Test
    void existingNameKeepsTheFirstBucketAndItsEntries() {
      String bucket = create("{\"description\":\"first\",\"history\":3}");
      write(bucket, "k", "{\"v\":1}");
      post("{\"bucket\":\"" + bucket + "\",\"description\":\"second\",\"history\":7}");
      JsonPath d = details(bucket);
      assertEquals("first", d.getString("body.config.description"));
      assertEquals(3, d.getInt("body.config.history"));
      assertEquals(1, d.getLong("body.status.entries"));
    }

    @Test
    void concurrentCreatesOfOneNameLetExactlyOneWin() throws Exception {
      String name = newName();
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Callable<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          calls.add(() -> post("{\"bucket\":\"" + name + "\"}").statusCode());
        }
        List<Integer> statuses = new ArrayList<>();
        for (Future<Integer> f : pool.invokeAll(calls)) {
          statuses.add(f.get());
        }
        assertEquals(1, statuses.stream().filter(s -> s == 200).count(), "statuses " + statuses);
        assertEquals(7, statuses.stream().filter(s -> s == 400).count(), "statuses " + statuses);
      } finally {
        pool.shutdownNow();
      }
      assertEquals(1, listedNames().stream().filter(name::equals).count());
    }

    @Test
    void missingBucketFieldIs400() {
      Response r = post("{\"description\":\"no name\"}");
      assertError(r, 400, "validation_error");
      assertThat(r.jsonPath().getString("message"), containsString("bucket"));
    }

    @ParameterizedTest(name = "bucket {0}")
    @ValueSource(strings = {"\"\"", "null", "5", "true", "[\"a\"]", "{\"name\":\"a\"}"})
    void bucketThatIsNotANonEmptyStringIs400(String value) {
      Response r = post("{\"bucket\":" + value + "}");
      assertError(r, 400, "validation_error");
      assertThat(r.jsonPath().getString("message"), containsString("bucket"));
    }

    @ParameterizedTest(name = "name {0}")
    @ValueSource(strings = {"-lead", "_lead", "has.dot", "has space", "slash/x", "ümlaut", "a\\n"})
    void invalidNameIs400(String name) {
      Response r = post("{\"bucket\":\"" + name + "\"}");
      assertError(r, 400, "validation_error");
      assertThat(r.jsonPath().getString("message"), containsString("bucket name"));
    }

    @Test
    void nameOf64CharactersIs400() {
      String name = (newName() + "x".repeat(64)).substring(0, 64);
      assertError(post("{\"bucket\":\"" + name + "\"}"), 400, "validation_error");
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(
        delimiter = '|',
        textBlock =
            """
            description    | 5
            compression    | "yes"
            compression    | 1
            history        | "5"
            history        | 5.5
            history        | 1e2
            max_bytes      | "1024"
            max_value_size | true
            replicas       | "1"
            ttl            | "abc"
            ttl            | 99999999999999999999
            """)
    void wrongTypeIs400NamingTheField(String field, String value) {
      Response r = post("{\"bucket\":\"" + newName() + "\",\"" + field + "\":" + value + "}");
      assertError(r, 400, "validation_error");
      assertThat(r.jsonPath().getString("message"), containsString(field));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(
        delimiter = '|',
        textBlock =
            """
            history        | 0
            history        | 65
            history        | -1
            replicas       | 0
            replicas       | 6
            ttl            | -1
            ttl            | 315360001
            max_bytes      | 0
            max_bytes      | -2
            max_value_size | 0
            max_value_size | -2
            max_value_size | 2147483648
            storage        | "disk"
            storage        | 2
            storage        | "0"
            """)
    void outOfRangeIs400NamingTheField(String field, String value) {
      Response r = post("{\"bucket\":\"" + newName() + "\",\"" + field + "\":" + value + "}");
      assertError(r, 400, "validation_error");
      assertThat(r.jsonPath().getString("message"), containsString(field));
    }

    @Test
    void refusedCreateLeavesNoBucket() {
      String name = newName();
      post("{\"bucket\":\"" + name + "\",\"history\":65}").then().statusCode(400);
      assertError(given().get("/storage/kv/" + name), 404, "not_found");
    }

    @Test
    void indexingIsTakenAndAnUnknownFieldTypeIs400() {
      String name = newName();
      assertSuccess(
          post(
              "{\"bucket\":\""
                  + name
                  + "\",\"indexing\":{\"mappings\":[{\"field\":\"name\",\"field_type\":\"text\"}],"
                  + "\"partitions\":1,\"replicas\":1,\"storage_type\":\"file\"}}"));
      String other = newName();
      Response r =
          post(
              "{\"bucket\":\""
                  + other
                  + "\",\"indexing\":{\"mappings\":[{\"field\":\"name\",\"field_type\":\"blob\"}]}}");
      assertError(r, 400, "validation_error");
      assertThat(r.jsonPath().getString("message"), containsString("field_type"));
      assertError(given().get("/storage/kv/" + other), 404, "not_found");
    }

    @Test
    void unsupportedContentTypeIs415() {
      Response r =
          given()
              .contentType(ContentType.TEXT)
              .body("{\"bucket\":\"" + newName() + "\"}")
              .post("/storage/kv");
      assertError(r, 415, "unsupported_media_type");
    }

    @Test
    void emptyBodyIs400() {
      assertError(
          given().contentType(ContentType.JSON).post("/storage/kv"), 400, "validation_error");
    }
  }

  @Nested
  class K3GetBucket {
    @Test
    void matchesThePublicSchema() {
      String bucket = create("{\"description\":\"d\",\"history\":3}");
      write(bucket, "k", "{\"v\":1}");
      String json =
          given().get("/storage/kv/" + bucket).then().statusCode(200).extract().asString();
      QuivaOpenApi.assertMatches("KVBucketResponse", json);
    }

    @Test
    void statusReflectsTheSettings() {
      String bucket =
          create("{\"description\":\"desc\",\"history\":4,\"ttl\":60,\"compression\":true}");
      JsonPath d = details(bucket);
      assertEquals("redis", d.getString("body.status.backing_store"));
      assertEquals(bucket, d.getString("body.status.bucket"));
      assertEquals("desc", d.getString("body.status.description"));
      assertEquals(4, d.getInt("body.status.history"));
      assertEquals(60, d.getLong("body.status.ttl"));
      assertTrue(d.getBoolean("body.status.is_compressed"));
    }

    @Test
    void configReflectsTheSettings() {
      String bucket =
          create(
              "{\"description\":\"c\",\"history\":2,\"ttl\":30,\"max_bytes\":5000,"
                  + "\"max_value_size\":100,\"replicas\":3,\"storage\":\"memory\","
                  + "\"compression\":true}");
      JsonPath d = details(bucket);
      assertEquals(bucket, d.getString("body.config.bucket"));
      assertEquals("c", d.getString("body.config.description"));
      assertEquals(5000, d.getLong("body.config.max_bytes"));
      assertEquals(100, d.getLong("body.config.max_value_size"));
      assertEquals(2, d.getInt("body.config.history"));
      assertEquals(30, d.getLong("body.config.ttl"));
      assertEquals(3, d.getInt("body.config.num_replicas"));
      assertEquals("memory", d.getString("body.config.storage"));
      assertTrue(d.getBoolean("body.config.compression"));
    }

    @Test
    void streamInfoConfigIsTheNatsViewOfTheSettings() {
      String bucket =
          create(
              "{\"history\":5,\"ttl\":7,\"max_bytes\":900,\"max_value_size\":90,"
                  + "\"replicas\":2,\"storage\":1,\"compression\":true}");
      JsonPath d = details(bucket);
      assertEquals("KV_" + bucket, d.getString("body.stream_info.config.name"));
      assertEquals(List.of("$KV." + bucket + ".>"), d.getList("body.stream_info.config.subjects"));
      assertEquals("Limits", d.getString("body.stream_info.config.retention"));
      assertEquals("memory", d.getString("body.stream_info.config.storage"));
      assertEquals(2, d.getInt("body.stream_info.config.num_replicas"));
      assertEquals(7_000_000_000L, d.getLong("body.stream_info.config.max_age"));
      assertEquals(900, d.getLong("body.stream_info.config.max_bytes"));
      assertEquals(90, d.getLong("body.stream_info.config.max_msg_size"));
      assertEquals(5, d.getLong("body.stream_info.config.max_msgs_per_subject"));
      assertEquals("s2", d.getString("body.stream_info.config.compression"));
    }

    @Test
    void uncompressedBucketShowsCompressionNone() {
      String bucket = create();
      assertEquals("none", details(bucket).getString("body.stream_info.config.compression"));
    }

    @Test
    void metadataHasTheBucketAndAGoStyleDuration() {
      String bucket = create();
      JsonPath d = details(bucket);
      assertEquals(bucket, d.getString("metadata.bucket"));
      assertThat(d.getString("metadata.duration"), matchesPattern(GO_DURATION));
    }

    @Test
    void countsEntriesBytesAndRevision() {
      String bucket = create();
      write(bucket, "a", "{\"v\":1}"); // 7 bytes
      write(bucket, "b", "{\"vv\":22}"); // 9 bytes
      JsonPath d = details(bucket);
      assertEquals(2, d.getLong("body.status.entries"));
      assertEquals(16, d.getLong("body.status.bytes"));
      assertEquals(2, d.getLong("body.status.revision"));
      assertEquals(2, d.getLong("body.stream_info.state.messages"));
      assertEquals(16, d.getLong("body.stream_info.state.bytes"));
      assertEquals(2, d.getLong("body.stream_info.state.last_seq"));
    }

    @Test
    void overwriteCountsTheNewSizeOnly() {
      String bucket = create();
      write(bucket, "a", "{\"v\":1}");
      write(bucket, "a", "{\"vv\":22}");
      JsonPath d = details(bucket);
      assertEquals(1, d.getLong("body.status.entries"));
      assertEquals(9, d.getLong("body.status.bytes"));
      assertEquals(2, d.getLong("body.status.revision"));
    }

    @Test
    void deletingAnEntryFreesItsBytes() {
      String bucket = create();
      write(bucket, "a", "{\"v\":1}");
      write(bucket, "b", "{\"vv\":22}");
      given().delete("/storage/kv/" + bucket + "/entries/a").then().statusCode(200);
      JsonPath d = details(bucket);
      assertEquals(1, d.getLong("body.status.entries"));
      assertEquals(9, d.getLong("body.status.bytes"));
      assertEquals(3, d.getLong("body.status.revision"));
    }

    @Test
    void expiredEntriesLeaveTheCountsAndFreeTheirBytes() {
      String bucket = create();
      given()
          .contentType(ContentType.JSON)
          .body("{\"v\":1}")
          .put("/storage/kv/" + bucket + "/entries/short?ttl=1")
          .then()
          .statusCode(200);
      write(bucket, "long", "{\"vv\":22}");
      sleep(1500);
      JsonPath d = details(bucket);
      assertEquals(1, d.getLong("body.status.entries"));
      assertEquals(9, d.getLong("body.status.bytes"));
    }

    @Test
    void bucketTtlExpiresEntriesWrittenWithoutOne() {
      String bucket = create("{\"ttl\":1}");
      write(bucket, "a", "{\"v\":1}");
      sleep(1500);
      JsonPath d = details(bucket);
      assertEquals(0, d.getLong("body.status.entries"));
      assertEquals(0, d.getLong("body.status.bytes"));
    }

    @Test
    void createdAndModifiedAreRfc3339AndModifiedMovesWithWrites() {
      String bucket = create();
      JsonPath before = details(bucket);
      Instant created = Instant.parse(before.getString("body.status.created"));
      assertEquals(created, Instant.parse(before.getString("body.status.modified")));
      assertEquals(created, Instant.parse(before.getString("body.stream_info.created")));
      sleep(5);
      write(bucket, "a", "{\"v\":1}");
      Instant modified = Instant.parse(details(bucket).getString("body.status.modified"));
      assertThat(modified, greaterThan(created));
    }

    @Test
    void missingBucketIs404NotFound() {
      assertError(given().get("/storage/kv/" + newName()), 404, "not_found");
    }

    @ParameterizedTest(name = "path name {0}")
    @ValueSource(strings = {"-lead", "_lead", "has.dot", "%C3%BCmlaut", "has%20space"})
    void invalidNameInThePathIs400(String name) {
      Response r = given().urlEncodingEnabled(false).get("/storage/kv/" + name);
      assertError(r, 400, "validation_error");
    }

    @Test
    void nameOf64CharactersInThePathIs400() {
      String name = (newName() + "x".repeat(64)).substring(0, 64);
      assertError(given().get("/storage/kv/" + name), 400, "validation_error");
    }
  }

  @Nested
  class K4UpdateBucket {
    @Test
    void updatesDescriptionLimitsAndTtl() {
      String bucket = create("{\"description\":\"old\"}");
      assertSuccess(
          update(
              bucket,
              "{\"description\":\"new\",\"max_bytes\":2048,\"max_value_size\":256,\"ttl\":90}"));
      JsonPath d = details(bucket);
      assertEquals("new", d.getString("body.config.description"));
      assertEquals(2048, d.getLong("body.config.max_bytes"));
      assertEquals(256, d.getLong("body.config.max_value_size"));
      assertEquals(90, d.getLong("body.config.ttl"));
    }

    @Test
    void setsLimitsBackToUnlimited() {
      String bucket = create("{\"max_bytes\":100,\"max_value_size\":10}");
      assertSuccess(update(bucket, "{\"max_bytes\":-1,\"max_value_size\":-1}"));
      JsonPath d = details(bucket);
      assertEquals(-1, d.getLong("body.config.max_bytes"));
      assertEquals(-1, d.getLong("body.config.max_value_size"));
    }

    @Test
    void keepsTheFieldsNotGiven() {
      String bucket = create("{\"description\":\"d\",\"max_bytes\":500,\"ttl\":9}");
      assertSuccess(update(bucket, "{\"max_value_size\":50}"));
      JsonPath d = details(bucket);
      assertEquals("d", d.getString("body.config.description"));
      assertEquals(500, d.getLong("body.config.max_bytes"));
      assertEquals(9, d.getLong("body.config.ttl"));
    }

    @Test
    void keepsEntriesAndTheFixedSettings() {
      String bucket =
          create("{\"history\":3,\"compression\":true,\"replicas\":2,\"storage\":\"memory\"}");
      write(bucket, "k", "{\"v\":1}");
      assertSuccess(update(bucket, "{\"description\":\"changed\"}"));
      JsonPath d = details(bucket);
      assertEquals(1, d.getLong("body.status.entries"));
      assertEquals(3, d.getInt("body.config.history"));
      assertTrue(d.getBoolean("body.config.compression"));
      assertEquals(2, d.getInt("body.config.num_replicas"));
      assertEquals("memory", d.getString("body.config.storage"));
    }

    @Test
    void emptyObjectChangesNothing() {
      String bucket = create("{\"description\":\"same\",\"max_bytes\":77}");
      assertSuccess(update(bucket, "{}"));
      JsonPath d = details(bucket);
      assertEquals("same", d.getString("body.config.description"));
      assertEquals(77, d.getLong("body.config.max_bytes"));
    }

    @Test
    void createsAMissingBucketWithTheDefaultsAndTheGivenFields() {
      String bucket = newName();
      assertSuccess(
          update(bucket, "{\"description\":\"made by put\",\"max_value_size\":10,\"ttl\":5}"));
      JsonPath d = details(bucket);
      assertEquals("made by put", d.getString("body.config.description"));
      assertEquals(10, d.getLong("body.config.max_value_size"));
      assertEquals(5, d.getLong("body.config.ttl"));
      assertEquals(-1, d.getLong("body.config.max_bytes"));
      assertEquals(1, d.getInt("body.config.history"));
      assertEquals("file", d.getString("body.config.storage"));
      assertEquals(1, d.getInt("body.config.num_replicas"));
      assertFalse(d.getBoolean("body.config.compression"));
    }

    @Test
    void concurrentUpsertsOfAMissingBucketAllSucceed() throws Exception {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Integer> statuses = new ArrayList<>();
        for (int round = 0; round < 10; round++) {
          String bucket = newName();
          CyclicBarrier start = new CyclicBarrier(8);
          List<Callable<Integer>> calls = new ArrayList<>();
          for (int i = 0; i < 8; i++) {
            String body = "{\"description\":\"writer " + i + "\"}";
            calls.add(
                () -> {
                  start.await();
                  return update(bucket, body).statusCode();
                });
          }
          for (Future<Integer> f : pool.invokeAll(calls)) {
            statuses.add(f.get());
          }
        }
        assertEquals(0, statuses.stream().filter(s -> s != 200).count(), "statuses " + statuses);
      } finally {
        pool.shutdownNow();
      }
    }

    @Test
    void aBucketCreatedByPutIsListed() {
      String bucket = newName();
      assertSuccess(update(bucket, "{}"));
      assertNotNull(listed(bucket));
    }

    @Test
    void acceptsABucketFieldEqualToThePathName() {
      String bucket = create();
      assertSuccess(update(bucket, "{\"bucket\":\"" + bucket + "\",\"description\":\"x\"}"));
      assertEquals("x", details(bucket).getString("body.config.description"));
    }

    @Test
    void loweredMaxValueSizeAppliesToTheNextWrite() {
      String bucket = create();
      assertSuccess(update(bucket, "{\"max_value_size\":5}"));
      assertError(put(bucket, "k", "{\"v\":1}"), 400, "validation_error");
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(
        delimiter = '|',
        textBlock =
            """
            history     | 3
            compression | true
            replicas    | 2
            storage     | "memory"
            """)
    void fixedSettingIs400NamingIt(String field, String value) {
      String bucket = create();
      Response r = update(bucket, "{\"" + field + "\":" + value + "}");
      assertError(r, 400, "validation_error");
      assertThat(r.jsonPath().getString("message"), containsString(field));
    }

    @Test
    void refusedFixedSettingLeavesTheBucketAsItWas() {
      String bucket = create("{\"description\":\"kept\",\"history\":2}");
      update(bucket, "{\"description\":\"lost\",\"history\":9}").then().statusCode(400);
      JsonPath d = details(bucket);
      assertEquals("kept", d.getString("body.config.description"));
      assertEquals(2, d.getInt("body.config.history"));
    }

    @Test
    void fixedSettingOnAMissingBucketCreatesNothing() {
      String bucket = newName();
      update(bucket, "{\"history\":2}").then().statusCode(400);
      assertError(given().get("/storage/kv/" + bucket), 404, "not_found");
    }

    @Test
    void bucketFieldNamingAnotherBucketIs400() {
      String bucket = create();
      Response r = update(bucket, "{\"bucket\":\"" + newName() + "\"}");
      assertError(r, 400, "validation_error");
      assertThat(r.jsonPath().getString("message"), containsString("bucket"));
    }

    @Test
    void indexingWithBadMappingsIs400AndChangesNothing() {
      String bucket = create();
      Response r = update(bucket, "{\"indexing\":{\"mappings\":\"name\"}}");
      assertError(r, 400, "validation_error");
      assertThat(r.jsonPath().getString("message"), containsString("indexing"));
      assertSuccess(update(bucket, "{\"indexing\":{\"mappings\":[]}}"));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(
        delimiter = '|',
        textBlock =
            """
            max_bytes      | 0
            max_bytes      | -2
            max_value_size | 0
            max_value_size | 2147483648
            ttl            | -1
            ttl            | 315360001
            description    | 3
            max_bytes      | "10"
            ttl            | 1.5
            """)
    void invalidValueIs400NamingTheField(String field, String value) {
      String bucket = create();
      Response r = update(bucket, "{\"" + field + "\":" + value + "}");
      assertError(r, 400, "validation_error");
      assertThat(r.jsonPath().getString("message"), containsString(field));
    }

    @Test
    void emptyBodyIs400() {
      String bucket = create();
      assertError(
          given().contentType(ContentType.JSON).put("/storage/kv/" + bucket),
          400,
          "validation_error");
    }

    @Test
    void unsupportedContentTypeIs415() {
      String bucket = create();
      Response r =
          given()
              .contentType(ContentType.XML)
              .body("<description>x</description>")
              .put("/storage/kv/" + bucket);
      assertError(r, 415, "unsupported_media_type");
    }

    @Test
    void invalidNameInThePathIs400() {
      assertError(update("-lead", "{}"), 400, "validation_error");
    }
  }

  @Nested
  class K5DeleteBucket {
    @Test
    void deletesTheBucket() {
      String bucket = create();
      assertSuccess(given().delete("/storage/kv/" + bucket));
      assertError(given().get("/storage/kv/" + bucket), 404, "not_found");
    }

    @Test
    void removesEveryRedisKeyOfTheBucket() {
      String bucket = create("{\"history\":3}");
      String id = bucketId(bucket);
      write(bucket, "a", "{\"v\":1}");
      write(bucket, "a", "{\"v\":2}");
      given()
          .contentType(ContentType.JSON)
          .body("{\"v\":3}")
          .put("/storage/kv/" + bucket + "/entries/b?ttl=600")
          .then()
          .statusCode(200);
      assertEquals(
          6, redisKeysOf(id), "meta, data, key index, expiry, history and change stream keys");
      given().delete("/storage/kv/" + bucket).then().statusCode(200);
      // Only the change stream stays, for watchers to read that the bucket is gone: one event,
      // no values, expiring within a minute.
      assertEquals(1, redisKeysOf(id));
      var redis = RedisResource.server();
      String stream = "kvg:{" + id + "}:s";
      assertEquals(":1", redis.command("XLEN", stream));
      long ttl = Long.parseLong(redis.command("TTL", stream).substring(1).trim());
      assertTrue(ttl > 0 && ttl <= 60, "expires within a minute: " + ttl);
    }

    @Test
    void releasesTheNameInTheTenantIndexes() {
      String bucket = create();
      String id = bucketId(bucket);
      given().delete("/storage/kv/" + bucket).then().statusCode(200);
      var redis = RedisResource.server();
      assertEquals(":0", redis.command("HEXISTS", "kvg:{t:default}:names", bucket));
      assertEquals("$-1", redis.command("ZSCORE", "kvg:{t:default}:created", id));
    }

    @Test
    void deletedBucketsEntriesAre404() {
      String bucket = create();
      write(bucket, "k", "{\"v\":1}");
      given().delete("/storage/kv/" + bucket).then().statusCode(200);
      assertError(given().get("/storage/kv/" + bucket + "/entries/k"), 404, "not_found");
    }

    @Test
    void recreatedBucketWithTheSameNameIsEmptyWithItsNewSettings() {
      String bucket = create("{\"history\":5,\"description\":\"old\"}");
      write(bucket, "k", "{\"v\":1}");
      write(bucket, "k", "{\"v\":2}");
      given().delete("/storage/kv/" + bucket).then().statusCode(200);
      assertSuccess(post("{\"bucket\":\"" + bucket + "\"}"));
      JsonPath d = details(bucket);
      assertEquals(0, d.getLong("body.status.entries"));
      assertEquals(0, d.getLong("body.status.bytes"));
      assertEquals(0, d.getLong("body.status.revision"));
      assertEquals(1, d.getInt("body.config.history"));
      assertEquals("", d.getString("body.config.description"));
      assertError(given().get("/storage/kv/" + bucket + "/entries/k"), 404, "not_found");
      assertError(given().get("/storage/kv/" + bucket + "/entries/k/history"), 404, "not_found");
    }

    @Test
    void missingBucketIs404() {
      assertError(given().delete("/storage/kv/" + newName()), 404, "not_found");
    }

    @Test
    void secondDeleteIs404() {
      String bucket = create();
      given().delete("/storage/kv/" + bucket).then().statusCode(200);
      assertError(given().delete("/storage/kv/" + bucket), 404, "not_found");
    }

    @Test
    void invalidNameInThePathIs400() {
      assertError(given().delete("/storage/kv/_lead"), 400, "validation_error");
    }
  }

  @Nested
  class K6PurgeBucket {
    private void purge(String bucket) {
      given().delete("/storage/kv/" + bucket + "/purge");
    }

    @Test
    void purgeAnswersSuccess() {
      String bucket = create();
      write(bucket, "k", "{\"v\":1}");
      assertSuccess(given().delete("/storage/kv/" + bucket + "/purge"));
    }

    @Test
    void purgeOfAnEmptyBucketAnswersSuccess() {
      String bucket = create();
      assertSuccess(given().delete("/storage/kv/" + bucket + "/purge"));
    }

    @Test
    void removesEveryEntry() {
      String bucket = create();
      write(bucket, "a", "{\"v\":1}");
      write(bucket, "b", "{\"v\":2}");
      purge(bucket);
      JsonPath d = details(bucket);
      assertEquals(0, d.getLong("body.status.entries"));
      assertEquals(0, d.getLong("body.status.bytes"));
      given()
          .get("/storage/kv/" + bucket + "/entries")
          .then()
          .statusCode(200)
          .body("body.results_total", equalTo(0))
          .body("body.results.size()", equalTo(0));
    }

    @Test
    void removesTheHistory() {
      String bucket = create("{\"history\":5}");
      write(bucket, "a", "{\"v\":1}");
      write(bucket, "a", "{\"v\":2}");
      purge(bucket);
      assertError(given().get("/storage/kv/" + bucket + "/entries/a/history"), 404, "not_found");
      assertError(given().get("/storage/kv/" + bucket + "/entries/a?revision=1"), 404, "not_found");
    }

    @Test
    void leavesOnlyTheSettingsInRedis() {
      String bucket = create("{\"history\":3}");
      String id = bucketId(bucket);
      write(bucket, "a", "{\"v\":1}");
      write(bucket, "a", "{\"v\":2}");
      given()
          .contentType(ContentType.JSON)
          .body("{\"v\":3}")
          .put("/storage/kv/" + bucket + "/entries/b?ttl=600")
          .then()
          .statusCode(200);
      purge(bucket);
      assertEquals(2, redisKeysOf(id), "only the meta hash and the change stream stay");
      // The stream keeps no value of before: only the purge event.
      assertEquals(":1", RedisResource.server().command("XLEN", "kvg:{" + id + "}:s"));
    }

    @Test
    void keepsTheSettings() {
      String bucket =
          create(
              "{\"description\":\"keep\",\"history\":4,\"ttl\":99,\"max_bytes\":1000,"
                  + "\"max_value_size\":100,\"storage\":\"memory\",\"replicas\":2}");
      write(bucket, "a", "{\"v\":1}");
      purge(bucket);
      JsonPath d = details(bucket);
      assertEquals("keep", d.getString("body.config.description"));
      assertEquals(4, d.getInt("body.config.history"));
      assertEquals(99, d.getLong("body.config.ttl"));
      assertEquals(1000, d.getLong("body.config.max_bytes"));
      assertEquals(100, d.getLong("body.config.max_value_size"));
      assertEquals("memory", d.getString("body.config.storage"));
      assertEquals(2, d.getInt("body.config.num_replicas"));
    }

    @Test
    void bucketTakesWritesAgainAfterAPurge() {
      String bucket = create("{\"max_bytes\":10}");
      write(bucket, "a", "{\"v\":1}");
      purge(bucket);
      write(bucket, "b", "{\"v\":22}");
      JsonPath d = details(bucket);
      assertEquals(1, d.getLong("body.status.entries"));
      assertEquals(8, d.getLong("body.status.bytes"));
    }

    @Test
    void revisionsAfterAPurgeContinueFromBeforeIt() {
      String bucket = create();
      write(bucket, "a", "{\"v\":1}");
      write(bucket, "a", "{\"v\":2}");
      purge(bucket);
      String etag = put(bucket, "a", "{\"v\":3}").then().statusCode(200).extract().header("ETag");
      assertThat(Long.parseLong(etag.replace("\"", "")), greaterThan(2L));
    }

    @Test
    void missingBucketIs404() {
      assertError(given().delete("/storage/kv/" + newName() + "/purge"), 404, "not_found");
    }

    @Test
    void invalidNameInThePathIs400() {
      assertError(given().delete("/storage/kv/-lead/purge"), 400, "validation_error");
    }
  }

  @Nested
  class BucketLimits {
    @Test
    void valueOfExactlyMaxValueSizeIsAccepted() {
      String bucket = create("{\"max_value_size\":7}");
      put(bucket, "k", "{\"v\":1}").then().statusCode(200);
    }

    @Test
    void valueOverMaxValueSizeIs400() {
      String bucket = create("{\"max_value_size\":7}");
      Response r = put(bucket, "k", "{\"v\":12}");
      assertError(r, 400, "validation_error");
      assertThat(r.jsonPath().getString("message"), containsString("max_value_size"));
    }

    @Test
    void valueOverMaxValueSizeWritesNothing() {
      String bucket = create("{\"max_value_size\":7}");
      put(bucket, "k", "{\"v\":12}").then().statusCode(400);
      assertUntouched(bucket);
      assertError(given().get("/storage/kv/" + bucket + "/entries/k"), 404, "not_found");
    }

    @Test
    void overwriteOverMaxValueSizeKeepsTheOldValue() {
      String bucket = create("{\"max_value_size\":7}");
      write(bucket, "k", "{\"v\":1}");
      put(bucket, "k", "{\"v\":12}").then().statusCode(400);
      given()
          .get("/storage/kv/" + bucket + "/entries/k")
          .then()
          .statusCode(200)
          .body("body.value.v", equalTo(1));
      assertEquals(1, details(bucket).getLong("body.status.revision"));
    }

    @Test
    void writeUpToExactlyMaxBytesIsAccepted() {
      String bucket = create("{\"max_bytes\":14}");
      write(bucket, "a", "{\"v\":1}");
      put(bucket, "b", "{\"v\":2}").then().statusCode(200);
      assertEquals(14, details(bucket).getLong("body.status.bytes"));
    }

    @Test
    void writeOverMaxBytesIs400() {
      String bucket = create("{\"max_bytes\":10}");
      write(bucket, "a", "{\"v\":1}");
      Response r = put(bucket, "b", "{\"v\":2}");
      assertError(r, 400, "validation_error");
      assertThat(r.jsonPath().getString("message"), containsString("max_bytes"));
    }

    @Test
    void writeOverMaxBytesWritesNothing() {
      String bucket = create("{\"max_bytes\":10}");
      write(bucket, "a", "{\"v\":1}");
      put(bucket, "b", "{\"v\":2}").then().statusCode(400);
      JsonPath d = details(bucket);
      assertEquals(1, d.getLong("body.status.entries"));
      assertEquals(7, d.getLong("body.status.bytes"));
      assertEquals(1, d.getLong("body.status.revision"));
      assertError(given().get("/storage/kv/" + bucket + "/entries/b"), 404, "not_found");
    }

    @Test
    void overwriteInAFullBucketCountsOnlyTheDifference() {
      String bucket = create("{\"max_bytes\":14}");
      write(bucket, "a", "{\"v\":1}");
      write(bucket, "b", "{\"v\":2}");
      put(bucket, "a", "{\"w\":3}").then().statusCode(200);
      put(bucket, "a", "{}").then().statusCode(200);
      assertEquals(9, details(bucket).getLong("body.status.bytes"));
    }

    @Test
    void expiredEntriesMakeRoomForNewWrites() {
      String bucket = create("{\"max_bytes\":10}");
      given()
          .contentType(ContentType.JSON)
          .body("{\"v\":1}")
          .put("/storage/kv/" + bucket + "/entries/a?ttl=1")
          .then()
          .statusCode(200);
      sleep(1500);
      put(bucket, "b", "{\"v\":2}").then().statusCode(200);
    }

    @Test
    void unlimitedBucketTakesAMegabyteValue() {
      String bucket = create();
      String big = "{\"v\":\"" + "x".repeat(1024 * 1024) + "\"}";
      put(bucket, "big", big).then().statusCode(200);
      assertEquals(big.length(), details(bucket).getLong("body.status.bytes"));
    }
  }
}
