package io.kvgate.quiva;

import static io.kvgate.quiva.EntryApi.assertStatus;
import static io.kvgate.quiva.EntryApi.bucketRevision;
import static io.kvgate.quiva.EntryApi.delete;
import static io.kvgate.quiva.EntryApi.etag;
import static io.kvgate.quiva.EntryApi.newBucket;
import static io.kvgate.quiva.EntryApi.put;
import static io.kvgate.quiva.EntryApi.rawGet;
import static io.kvgate.quiva.EntryApi.rawPut;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvgate.support.QuivaOpenApi;
import io.kvgate.support.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** K7-K10, K12 and the history extension of {@code /storage/kv}, endpoint by endpoint. */
@QuarkusTest
@WithTestResource(RedisResource.class)
class EntriesTest {

  private static final String KV = "/storage/kv/";

  /** Asserts an error answer: status, wire code, a message, and the public error schema. */
  static void assertError(Response r, int status, String code) {
    assertEquals(status, r.statusCode(), () -> "answer: " + r.asString());
    String body = r.asString();
    QuivaOpenApi.assertMatches("ErrorResponse", body);
    JsonPath json = JsonPath.from(body);
    assertEquals(code, json.getString("error"), body);
    assertTrue(!json.getString("message").isBlank(), body);
  }

  static void assertError(HttpResponse<String> r, int status, String code) {
    assertEquals(status, r.statusCode(), () -> "answer: " + r.body());
    QuivaOpenApi.assertMatches("ErrorResponse", r.body());
    JsonPath json = JsonPath.from(r.body());
    assertEquals(code, json.getString("error"), r.body());
    assertTrue(!json.getString("message").isBlank(), r.body());
  }

  static Response putJson(String bucket, String key, String json) {
    return given().contentType(ContentType.JSON).body(json).put(KV + bucket + "/entries/" + key);
  }

  static Response putWith(String bucket, String key, String header, String value, String json) {
    return given()
        .contentType(ContentType.JSON)
        .header(header, value)
        .body(json)
        .put(KV + bucket + "/entries/" + key);
  }

  static Response getEntry(String bucket, String key) {
    return given().get(KV + bucket + "/entries/" + key);
  }

  static int getStatus(String bucket, String key) {
    return getEntry(bucket, key).statusCode();
  }

  static List<String> keysOf(Response r) {
    return r.jsonPath().getList("body.results.key", String.class);
  }

  // ------------------------------------------------------------------------------------------

  @Nested
  class K9Put {

    @Test
    void writesAJsonObjectAndAnswersSuccessWithTheNewETag() {
      String b = newBucket();
      Response r = putJson(b, "user-1", "{\"name\":\"Ada\",\"age\":36}");
      assertEquals(200, r.statusCode(), r.asString());
      QuivaOpenApi.assertMatches("SuccessMessage", r.asString());
      assertEquals("success", r.jsonPath().getString("message"));
      assertEquals("\"1\"", r.header("ETag"));
      getEntry(b, "user-1").then().statusCode(200).body("body.value.name", equalTo("Ada"));
    }

    @Test
    void overwriteReplacesTheValueAndTakesTheNextRevision() {
      String b = newBucket();
      long first = put(b, "k", "{\"v\":1}");
      long second = put(b, "k", "{\"v\":2}");
      assertEquals(first + 1, second);
      getEntry(b, "k").then().body("body.value.v", equalTo(2)).header("ETag", etag(second));
    }

    @Test
    void revisionsCountPerBucketAcrossKeysAndDeletes() {
      String b = newBucket();
      assertEquals(1, put(b, "a", "{}"));
      assertEquals(2, put(b, "b", "{}"));
      delete(b, "a");
      assertEquals(4, put(b, "c", "{}"));
      String other = newBucket();
      assertEquals(1, put(other, "a", "{}"));
    }

    @Test
    void storesTheValueByteForByte() {
      String b = newBucket();
      String value = "{ \"n\" : 2.50, \"e\": 1E+3, \"s\":\"caf\u00e9 \\u00e9\", \"a\":[ ] }";
      rawPut(KV + b + "/entries/exact", value, "Content-Type", "application/json");
      HttpResponse<String> r = rawGet(KV + b + "/entries/exact");
      assertStatus(200, r);
      assertTrue(r.body().contains("\"value\":" + value + "}"), r.body());
    }

    @Test
    void acceptsABodyWithoutContentType() {
      String b = newBucket();
      HttpResponse<String> r = rawPut(KV + b + "/entries/no-type", "{\"x\":1}");
      assertStatus(200, r);
      assertEquals("\"1\"", r.headers().firstValue("ETag").orElse(null));
    }

    @Test
    void acceptsJsonWithCharsetAndJsonSubtypes() {
      String b = newBucket();
      for (String type :
          List.of("application/json; charset=utf-8", "application/merge-patch+json")) {
        HttpResponse<String> r =
            rawPut(KV + b + "/entries/typed", "{\"x\":1}", "Content-Type", type);
        assertStatus(200, r);
      }
    }

    @Test
    void acceptsEveryKeyCharacterAndSlashSegments() {
      String b = newBucket();
      String key = "Az09!'()*-_.=:@~/x/y.z/..a/.b";
      HttpResponse<String> w =
          rawPut(KV + b + "/entries/" + key, "{\"k\":true}", "Content-Type", "application/json");
      assertStatus(200, w);
      HttpResponse<String> r = rawGet(KV + b + "/entries/" + key);
      assertStatus(200, r);
      assertEquals(key, JsonPath.from(r.body()).getString("body.key"));
      assertEquals(key, JsonPath.from(r.body()).getString("metadata.key"));
    }

    @Test
    void acceptsAKeyOf512Characters() {
      String b = newBucket();
      String key = "k".repeat(512);
      putJson(b, key, "{}").then().statusCode(200);
      getEntry(b, key).then().statusCode(200).body("body.key", equalTo(key));
    }

    @Test
    void acceptsTtlFromZeroToTenYears() {
      String b = newBucket();
      given()
          .contentType(ContentType.JSON)
          .body("{}")
          .put(KV + b + "/entries/t0?ttl=0")
          .then()
          .statusCode(200);
      given()
          .contentType(ContentType.JSON)
          .body("{}")
          .put(KV + b + "/entries/tmax?ttl=315360000")
          .then()
          .statusCode(200);
    }

    @Test
    void ifMatchWithTheCurrentRevisionWrites() {
      String b = newBucket();
      long rev = put(b, "k", "{\"v\":1}");
      Response r = putWith(b, "k", "If-Match", etag(rev), "{\"v\":2}");
      assertEquals(200, r.statusCode(), r.asString());
      assertEquals(etag(rev + 1), r.header("ETag"));
    }

    @Test
    void ifMatchListContainingTheCurrentRevisionWrites() {
      String b = newBucket();
      put(b, "k", "{\"v\":1}");
      long rev = put(b, "k", "{\"v\":2}");
      putWith(b, "k", "If-Match", "\"999\", " + etag(rev), "{\"v\":3}").then().statusCode(200);
    }

    @Test
    void ifMatchStarOnAnExistingEntryWrites() {
      String b = newBucket();
      put(b, "k", "{\"v\":1}");
      putWith(b, "k", "If-Match", "*", "{\"v\":2}").then().statusCode(200);
    }

    @Test
    void ifNoneMatchStarOnAMissingEntryCreates() {
      String b = newBucket();
      putWith(b, "new", "If-None-Match", "*", "{\"v\":1}").then().statusCode(200);
      getEntry(b, "new").then().statusCode(200);
    }

    @Test
    void ifNoneMatchOtherRevisionWrites() {
      String b = newBucket();
      long rev = put(b, "k", "{\"v\":1}");
      putWith(b, "k", "If-None-Match", etag(rev + 10), "{\"v\":2}").then().statusCode(200);
    }

    @Test
    void staleIfMatchIs412AndKeepsTheValue() {
      String b = newBucket();
      long rev = put(b, "k", "{\"v\":1}");
      put(b, "k", "{\"v\":2}");
      assertError(putWith(b, "k", "If-Match", etag(rev), "{\"v\":3}"), 412, "precondition_failed");
      getEntry(b, "k").then().body("body.value.v", equalTo(2));
    }

    @Test
    void ifMatchOnAMissingEntryIs412() {
      String b = newBucket();
      assertError(putWith(b, "absent", "If-Match", "\"1\"", "{}"), 412, "precondition_failed");
      assertEquals(404, getStatus(b, "absent"));
    }

    @Test
    void ifMatchStarOnAMissingEntryIs412() {
      String b = newBucket();
      assertError(putWith(b, "absent", "If-Match", "*", "{}"), 412, "precondition_failed");
      assertEquals(404, getStatus(b, "absent"));
    }

    @Test
    void ifNoneMatchStarOnAnExistingEntryIs412() {
      String b = newBucket();
      put(b, "k", "{\"v\":1}");
      assertError(putWith(b, "k", "If-None-Match", "*", "{\"v\":2}"), 412, "precondition_failed");
      getEntry(b, "k").then().body("body.value.v", equalTo(1));
    }

    @Test
    void ifNoneMatchCurrentRevisionIs412() {
      String b = newBucket();
      long rev = put(b, "k", "{\"v\":1}");
      assertError(
          putWith(b, "k", "If-None-Match", etag(rev), "{\"v\":2}"), 412, "precondition_failed");
    }

    @Test
    void malformedIfMatchIs400() {
      String b = newBucket();
      put(b, "k", "{}");
      for (String bad : List.of("abc", "\"x1\"", "\"0\"", "\"-3\"", "\"1\", nope")) {
        assertError(putWith(b, "k", "If-Match", bad, "{}"), 400, "validation_error");
      }
    }

    @Test
    void malformedIfNoneMatchIs400() {
      String b = newBucket();
      assertError(putWith(b, "k", "If-None-Match", "whatever", "{}"), 400, "validation_error");
    }

    @Test
    void aBodyThatIsNotAJsonObjectIs400() {
      String b = newBucket();
      for (String body : List.of("[]", "[{}]", "\"text\"", "42", "true", "null")) {
        assertError(putJson(b, "k", body), 400, "validation_error");
      }
    }

    @Test
    void anEmptyBodyIs400() {
      String b = newBucket();
      HttpResponse<String> r =
          rawPut(KV + b + "/entries/k", "", "Content-Type", "application/json");
      assertError(r, 400, "validation_error");
    }

    @Test
    void malformedJsonIs400() {
      String b = newBucket();
      for (String body : List.of("{", "{\"a\":}", "{\"a\":1}}", "{\"a\":1} {}", "{'a':1}")) {
        assertError(putJson(b, "k", body), 400, "validation_error");
      }
    }

    @Test
    void invalidUtf8Is400() {
      String b = newBucket();
      byte[] body = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
      HttpResponse<String> r =
          EntryApi.send(
              EntryApi.request(KV + b + "/entries/k")
                  .header("Content-Type", "application/json")
                  .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
                  .build());
      assertError(r, 400, "validation_error");
    }

    @Test
    void aNonJsonContentTypeIs415() {
      String b = newBucket();
      for (String type : List.of("text/plain", "application/xml", "application/octet-stream")) {
        HttpResponse<String> r = rawPut(KV + b + "/entries/k", "{}", "Content-Type", type);
        assertError(r, 415, "unsupported_media_type");
      }
    }

    @Test
    void aMissingBucketIs404() {
      assertError(putJson("no-such-bucket-e9", "k", "{}"), 404, "not_found");
    }

    @Test
    void anInvalidBucketNameIs400() {
      assertError(putJson("-bad", "k", "{}"), 400, "validation_error");
    }

    @Test
    void aKeyWithCharactersOutsideTheRuleIs400() {
      String b = newBucket();
      for (String key : List.of("a%20b", "a%23b", "a%25b", "%C3%A9t%C3%A9", "a%22b", "a,b")) {
        HttpResponse<String> r = rawPut(KV + b + "/entries/" + key, "{}");
        assertError(r, 400, "validation_error");
      }
    }

    @Test
    void aKeyOver512CharactersIs400() {
      String b = newBucket();
      assertError(putJson(b, "k".repeat(513), "{}"), 400, "validation_error");
    }

    @Test
    void aKeyWithALeadingSlashIs400() {
      String b = newBucket();
      assertError(rawPut(KV + b + "/entries/%2Fa", "{}"), 400, "validation_error");
    }

    @Test
    void aKeyWithATrailingEncodedSlashIs400() {
      String b = newBucket();
      assertError(rawPut(KV + b + "/entries/a%2F", "{}"), 400, "validation_error");
    }

    @Test
    void aKeyWithAnEmptyEncodedSegmentIs400() {
      String b = newBucket();
      assertError(rawPut(KV + b + "/entries/a%2F%2Fb", "{}"), 400, "validation_error");
    }

    @Test
    void aKeyWithADotSegmentIs400() {
      String b = newBucket();
      assertError(rawPut(KV + b + "/entries/a%2F.%2Fb", "{}"), 400, "validation_error");
      assertError(rawPut(KV + b + "/entries/a%2F..%2Fb", "{}"), 400, "validation_error");
    }

    @Test
    void aKeyWithATrailingSlashIs400AndWritesNothing() {
      String b = newBucket();
      HttpResponse<String> r = rawPut(KV + b + "/entries/a/", "{}");
      assertError(r, 400, "validation_error");
      assertEquals(404, getStatus(b, "a"));
    }

    @Test
    void aKeyWithAnEmptySegmentIs400AndWritesNothing() {
      String b = newBucket();
      HttpResponse<String> r = rawPut(KV + b + "/entries/a//b", "{}");
      assertError(r, 400, "validation_error");
      assertEquals(404, getStatus(b, "a/b"));
    }

    @Test
    void aTtlOutsideZeroToTenYearsIs400() {
      String b = newBucket();
      for (String ttl : List.of("-1", "315360001", "1.5", "abc", "1s")) {
        Response r =
            given().contentType(ContentType.JSON).body("{}").put(KV + b + "/entries/k?ttl=" + ttl);
        assertError(r, 400, "validation_error");
      }
    }

    @Test
    void aValueOverMaxValueSizeIs400() {
      String b = newBucket("\"max_value_size\":15");
      putJson(b, "small", "{\"a\":\"0123456\"}").then().statusCode(200);
      assertError(putJson(b, "big", "{\"a\":\"01234567\"}"), 400, "validation_error");
    }

    @Test
    void aWriteOverMaxBytesIs400() {
      String b = newBucket("\"max_bytes\":20");
      putJson(b, "one", "{\"a\":\"0123456\"}").then().statusCode(200);
      assertError(putJson(b, "two", "{\"a\":\"0123456\"}"), 400, "validation_error");
    }

    @Test
    void aBodyOverTheServerCapIs413() {
      String b = newBucket();
      String big = "{\"a\":\"" + "x".repeat(10 * 1024 * 1024) + "\"}";
      HttpResponse<String> r =
          rawPut(KV + b + "/entries/huge", big, "Content-Type", "application/json");
      assertError(r, 413, "payload_too_large");
    }

    @Test
    void refusedWritesLeaveNothingBehind() {
      String b = newBucket("\"max_value_size\":8");
      put(b, "k", "{}");
      long before = bucketRevision(b);
      putJson(b, "k", "[]");
      putJson(b, "k", "{\"too\":\"large\"}");
      putWith(b, "k", "If-Match", "\"999\"", "{}");
      rawPut(KV + b + "/entries/other", "{}", "Content-Type", "text/plain");
      assertEquals(before, bucketRevision(b));
      assertEquals(404, getStatus(b, "other"));
    }
  }

  // ------------------------------------------------------------------------------------------

  @Nested
  class K8Get {

    @Test
    void returnsKeyValueAndMetadataWithETagAndLastModified() {
      String b = newBucket();
      long rev = put(b, "my-key", "{\"name\":\"John Doe\",\"age\":30}");
      Response r = getEntry(b, "my-key");
      assertEquals(200, r.statusCode());
      QuivaOpenApi.assertMatches("KVEntryResponse", r.asString());
      r.then()
          .contentType(ContentType.JSON)
          .header("ETag", etag(rev))
          .header("Last-Modified", notNullValue())
          .body("body.key", equalTo("my-key"))
          .body("body.value", equalTo(Map.of("name", "John Doe", "age", 30)))
          .body("metadata.bucket", equalTo(b))
          .body("metadata.key", equalTo("my-key"));
    }

    @Test
    void lastModifiedIsTheTimeOfTheLastWrite() {
      String b = newBucket();
      Instant before = Instant.now().minusSeconds(5);
      put(b, "k", "{}");
      Instant after = Instant.now().plusSeconds(5);
      String header = getEntry(b, "k").header("Last-Modified");
      Instant modified =
          ZonedDateTime.parse(header, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      assertTrue(modified.isAfter(before) && modified.isBefore(after), header);
    }

    @Test
    void lastModifiedIsAnImfFixdateWithATwoDigitDay() {
      String b = newBucket();
      put(b, "k", "{}");
      long written =
          LocalDate.of(2026, 11, 2).atTime(9, 5, 7).toInstant(ZoneOffset.UTC).toEpochMilli();
      setUpdatedTime(b, "k", written);
      String header = getEntry(b, "k").header("Last-Modified");
      assertEquals("Mon, 02 Nov 2026 09:05:07 GMT", header);
    }

    @Test
    void readsKeysWithSlashes() {
      String b = newBucket();
      put(b, "users/42/profile", "{\"n\":42}");
      getEntry(b, "users/42/profile")
          .then()
          .statusCode(200)
          .body("body.key", equalTo("users/42/profile"))
          .body("body.value.n", equalTo(42));
    }

    @Test
    void readsAKeyEndingInHistoryWhenItsSlashIsEncoded() {
      // ".../entries/x/history" is the history of "x"; the entry "x/history" is still readable.
      String b = newBucket();
      put(b, "x/history", "{\"entry\":true}");
      HttpResponse<String> r = rawGet(KV + b + "/entries/x%2Fhistory");
      assertStatus(200, r);
      assertEquals("x/history", JsonPath.from(r.body()).getString("body.key"));
    }

    @Test
    void revisionReadsAKeptEarlierRevision() {
      String b = newBucket("\"history\":3");
      long first = put(b, "k", "{\"v\":1}");
      put(b, "k", "{\"v\":2}");
      Response r = given().get(KV + b + "/entries/k?revision=" + first);
      assertEquals(200, r.statusCode());
      QuivaOpenApi.assertMatches("KVEntryResponse", r.asString());
      r.then().header("ETag", etag(first)).body("body.value.v", equalTo(1));
    }

    @Test
    void revisionOfTheLiveEntryReadsIt() {
      String b = newBucket();
      long rev = put(b, "k", "{\"v\":1}");
      given()
          .get(KV + b + "/entries/k?revision=" + rev)
          .then()
          .statusCode(200)
          .body("body.value.v", equalTo(1));
    }

    @Test
    void ifNoneMatchWithTheCurrentETagIs304WithoutABody() {
      String b = newBucket();
      long rev = put(b, "k", "{\"v\":1}");
      Response r = given().header("If-None-Match", etag(rev)).get(KV + b + "/entries/k");
      assertEquals(304, r.statusCode());
      assertEquals("", r.asString());
    }

    @Test
    void notModifiedCarriesTheCurrentETag() {
      String b = newBucket();
      long rev = put(b, "k", "{\"v\":1}");
      Response r = given().header("If-None-Match", etag(rev)).get(KV + b + "/entries/k");
      assertEquals(etag(rev), r.header("ETag"));
    }

    @Test
    void ifNoneMatchWithAnOlderETagIs200() {
      String b = newBucket();
      long old = put(b, "k", "{\"v\":1}");
      put(b, "k", "{\"v\":2}");
      given()
          .header("If-None-Match", etag(old))
          .get(KV + b + "/entries/k")
          .then()
          .statusCode(200)
          .body("body.value.v", equalTo(2));
    }

    @Test
    void aMissingKeyIs404() {
      String b = newBucket();
      assertError(getEntry(b, "absent"), 404, "not_found");
    }

    @Test
    void aMissingBucketIs404() {
      assertError(getEntry("no-such-bucket-e8", "k"), 404, "not_found");
    }

    @Test
    void anInvalidKeyIs400() {
      String b = newBucket();
      assertError(rawGet(KV + b + "/entries/a%20b"), 400, "validation_error");
    }

    @Test
    void aRevisionNoLongerKeptIs404() {
      String b = newBucket();
      long first = put(b, "k", "{\"v\":1}");
      put(b, "k", "{\"v\":2}");
      assertError(given().get(KV + b + "/entries/k?revision=" + first), 404, "not_found");
    }

    @Test
    void aRevisionThatIsNotAPositiveIntegerIs400() {
      String b = newBucket();
      put(b, "k", "{}");
      for (String rev : List.of("0", "-1", "abc", "1.0", "99999999999999999999")) {
        assertError(given().get(KV + b + "/entries/k?revision=" + rev), 400, "validation_error");
      }
    }
  }

  // ------------------------------------------------------------------------------------------

  @Nested
  class K10Delete {

    @Test
    void deletesAndAnswersSuccess() {
      String b = newBucket();
      put(b, "k", "{}");
      Response r = given().delete(KV + b + "/entries/k");
      assertEquals(200, r.statusCode());
      QuivaOpenApi.assertMatches("SuccessMessage", r.asString());
      assertEquals("success", r.jsonPath().getString("message"));
      assertEquals(404, getStatus(b, "k"));
    }

    @Test
    void deletesKeysWithSlashes() {
      String b = newBucket();
      put(b, "a/b/c", "{}");
      given().delete(KV + b + "/entries/a/b/c").then().statusCode(200);
      assertEquals(404, getStatus(b, "a/b/c"));
    }

    @Test
    void takesARevisionOfItsOwn() {
      String b = newBucket();
      long rev = put(b, "k", "{}");
      delete(b, "k");
      assertEquals(rev + 2, put(b, "other", "{}"));
    }

    @Test
    void leavesATombstoneInTheHistory() {
      String b = newBucket();
      long rev = put(b, "k", "{}");
      delete(b, "k");
      given()
          .get(KV + b + "/entries/k/history")
          .then()
          .statusCode(200)
          .body("body.results.operation", contains("delete"))
          .body("body.results[0].revision", equalTo((int) rev + 1))
          .body("body.results[0].value", nullValue());
    }

    @Test
    void ifMatchWithTheCurrentRevisionDeletes() {
      String b = newBucket();
      long rev = put(b, "k", "{}");
      given().header("If-Match", etag(rev)).delete(KV + b + "/entries/k").then().statusCode(200);
      assertEquals(404, getStatus(b, "k"));
    }

    @Test
    void ifMatchStarDeletesAnExistingEntry() {
      String b = newBucket();
      put(b, "k", "{}");
      given().header("If-Match", "*").delete(KV + b + "/entries/k").then().statusCode(200);
    }

    @Test
    void aMissingKeyIs404() {
      String b = newBucket();
      assertError(given().delete(KV + b + "/entries/absent"), 404, "not_found");
    }

    @Test
    void anAlreadyDeletedKeyIs404() {
      String b = newBucket();
      put(b, "k", "{}");
      delete(b, "k");
      assertError(given().delete(KV + b + "/entries/k"), 404, "not_found");
    }

    @Test
    void aMissingBucketIs404() {
      assertError(given().delete(KV + "no-such-bucket-e10/entries/k"), 404, "not_found");
    }

    @Test
    void staleIfMatchIs412AndKeepsTheEntry() {
      String b = newBucket();
      long old = put(b, "k", "{\"v\":1}");
      put(b, "k", "{\"v\":2}");
      assertError(
          given().header("If-Match", etag(old)).delete(KV + b + "/entries/k"),
          412,
          "precondition_failed");
      getEntry(b, "k").then().statusCode(200).body("body.value.v", equalTo(2));
    }

    @Test
    void malformedIfMatchIs400() {
      String b = newBucket();
      put(b, "k", "{}");
      assertError(
          given().header("If-Match", "v1").delete(KV + b + "/entries/k"), 400, "validation_error");
      assertEquals(200, getStatus(b, "k"));
    }

    @Test
    void anInvalidKeyIs400() {
      String b = newBucket();
      assertError(EntryApi.rawDelete(KV + b + "/entries/a%2F"), 400, "validation_error");
    }
  }

  // ------------------------------------------------------------------------------------------

  @Nested
  class K7List {

    @Test
    void listsEntriesInKeyOrderWithTotalAndMetadata() {
      String b = newBucket();
      put(b, "key2", "{\"name\":\"Jane\"}");
      put(b, "key1", "{\"name\":\"John\"}");
      Response r = given().get(KV + b + "/entries");
      assertEquals(200, r.statusCode());
      QuivaOpenApi.assertMatches("KVEntriesResponse", r.asString());
      r.then()
          .body("body.results.key", contains("key1", "key2"))
          .body("body.results[0].value.name", equalTo("John"))
          .body("body.results_total", equalTo(2))
          .body("body.next_cursor", nullValue())
          .body("metadata.bucket", equalTo(b))
          .body("metadata.limit", equalTo(10));
    }

    @Test
    void defaultsToTenEntriesAndGivesACursor() {
      String b = newBucket();
      for (int i = 0; i < 12; i++) {
        put(b, String.format("k%02d", i), "{}");
      }
      given()
          .get(KV + b + "/entries")
          .then()
          .statusCode(200)
          .body("body.results", hasSize(10))
          .body("body.results_total", equalTo(12))
          .body("body.next_cursor", notNullValue());
    }

    @Test
    void theCursorContinuesAfterTheLastKey() {
      String b = newBucket();
      for (String k : List.of("a", "b", "c", "d", "e")) {
        put(b, k, "{}");
      }
      Response first = given().get(KV + b + "/entries?limit=2");
      assertEquals(List.of("a", "b"), keysOf(first));
      String cursor = first.jsonPath().getString("body.next_cursor");
      Response second = given().queryParam("cursor", cursor).get(KV + b + "/entries?limit=2");
      assertEquals(List.of("c", "d"), keysOf(second));
      String last = second.jsonPath().getString("body.next_cursor");
      Response third = given().queryParam("cursor", last).get(KV + b + "/entries?limit=2");
      assertEquals(List.of("e"), keysOf(third));
      assertEquals(null, third.jsonPath().getString("body.next_cursor"));
    }

    @Test
    void theLastFullPageHasNoCursor() {
      String b = newBucket();
      put(b, "a", "{}");
      put(b, "b", "{}");
      given()
          .get(KV + b + "/entries?limit=2")
          .then()
          .body("body.results", hasSize(2))
          .body("body.next_cursor", nullValue());
    }

    @Test
    void prefixKeepsOnlyMatchingKeys() {
      String b = newBucket();
      for (String k : List.of("user/1", "user/2", "user-x", "users", "admin/1")) {
        put(b, k, "{}");
      }
      Response r = given().queryParam("prefix", "user/").get(KV + b + "/entries");
      assertEquals(List.of("user/1", "user/2"), keysOf(r));
      assertEquals(5, r.jsonPath().getInt("body.results_total"));
    }

    @Test
    void acceptsLimitsOneAndOneThousand() {
      String b = newBucket();
      put(b, "a", "{}");
      put(b, "b", "{}");
      given()
          .get(KV + b + "/entries?limit=1")
          .then()
          .statusCode(200)
          .body("body.results", hasSize(1));
      given()
          .get(KV + b + "/entries?limit=1000")
          .then()
          .statusCode(200)
          .body("body.results", hasSize(2))
          .body("metadata.limit", equalTo(1000));
    }

    @Test
    void anEmptyBucketListsNothing() {
      String b = newBucket();
      Response r = given().get(KV + b + "/entries");
      QuivaOpenApi.assertMatches("KVEntriesResponse", r.asString());
      r.then()
          .statusCode(200)
          .body("body.results", empty())
          .body("body.results_total", equalTo(0))
          .body("body.next_cursor", nullValue());
    }

    @Test
    void deletedEntriesDoNotAppear() {
      String b = newBucket();
      put(b, "a", "{}");
      put(b, "b", "{}");
      delete(b, "a");
      Response r = given().get(KV + b + "/entries");
      assertEquals(List.of("b"), keysOf(r));
      assertEquals(1, r.jsonPath().getInt("body.results_total"));
    }

    @Test
    void aLimitOutsideOneToOneThousandIs400() {
      String b = newBucket();
      for (String limit : List.of("0", "-1", "1001", "ten", "2.5")) {
        assertError(given().get(KV + b + "/entries?limit=" + limit), 400, "validation_error");
      }
    }

    @Test
    void aCursorThisServiceDidNotIssueIs400() {
      String b = newBucket();
      String notAKey =
          Base64.getUrlEncoder().encodeToString("a b".getBytes(StandardCharsets.UTF_8));
      for (String cursor : List.of("!!!", "%%%", notAKey)) {
        assertError(
            given().queryParam("cursor", cursor).get(KV + b + "/entries"), 400, "validation_error");
      }
    }

    @Test
    void aPrefixWithCharactersOutsideTheKeyRuleIs400() {
      String b = newBucket();
      assertError(
          given().queryParam("prefix", "a b").get(KV + b + "/entries"), 400, "validation_error");
    }

    @Test
    void aMissingBucketIs404() {
      assertError(given().get(KV + "no-such-bucket-e7/entries"), 404, "not_found");
    }
  }

  // ------------------------------------------------------------------------------------------

  @Nested
  class K12SearchByKey {

    @Test
    void findsMatchingEntriesInKeyOrderWithSearchAndHits() {
      String b = newBucket();
      put(b, "user456", "{\"name\":\"Jane\"}");
      put(b, "user123", "{\"name\":\"John\"}");
      put(b, "admin1", "{}");
      Response r = given().queryParam("search", "user*").get(KV + b + "/search-by-key");
      assertEquals(200, r.statusCode());
      r.then()
          .body("body.results.key", contains("user123", "user456"))
          .body("body.results[0].value.name", equalTo("John"))
          .body("body.results_total", equalTo(2))
          .body("metadata.bucket", equalTo(b))
          .body("metadata.search", equalTo("user*"))
          .body("metadata.hits", equalTo(2));
    }

    @Test
    void answersInTheShapeOfThePublicExample() {
      // The public schema types SearchKVItem.value as a string while its own example (and K7)
      // give objects; the service follows the example, so items are checked as K7 items.
      String b = newBucket();
      put(b, "user1", "{\"name\":\"Jane\"}");
      String body = given().queryParam("search", "user*").get(KV + b + "/search-by-key").asString();
      JsonPath json = JsonPath.from(body);
      for (Object item : json.getList("body.results")) {
        QuivaOpenApi.assertMatches("KVEntriesItem", toJson(item));
      }
      QuivaOpenApi.assertMatches("Metadata", toJson(json.get("metadata")));
    }

    @Test
    void questionMarkMatchesExactlyOneCharacter() {
      String b = newBucket();
      for (String k : List.of("ab", "a1b", "a12b", "a/b")) {
        put(b, k, "{}");
      }
      Response r = given().queryParam("search", "a?b").get(KV + b + "/search-by-key");
      assertEquals(List.of("a/b", "a1b"), keysOf(r));
    }

    @Test
    void starMatchesAnyRunIncludingSlashesAndNothing() {
      String b = newBucket();
      for (String k : List.of("log", "log/2024/01", "log-x", "blog")) {
        put(b, k, "{}");
      }
      Response r = given().queryParam("search", "log*").get(KV + b + "/search-by-key");
      assertEquals(List.of("log", "log-x", "log/2024/01"), keysOf(r));
    }

    @Test
    void aLeadingStarSearchesTheWholeBucket() {
      String b = newBucket();
      for (String k : List.of("a.json", "b/c.json", "d.txt")) {
        put(b, k, "{}");
      }
      Response r = given().queryParam("search", "*.json").get(KV + b + "/search-by-key");
      assertEquals(List.of("a.json", "b/c.json"), keysOf(r));
    }

    @Test
    void aPatternWithoutWildcardsMatchesOnlyThatKey() {
      String b = newBucket();
      put(b, "user", "{}");
      put(b, "user1", "{}");
      Response r = given().queryParam("search", "user").get(KV + b + "/search-by-key");
      assertEquals(List.of("user"), keysOf(r));
    }

    @Test
    void limitCapsTheResults() {
      String b = newBucket();
      for (int i = 0; i < 15; i++) {
        put(b, "k" + (char) ('a' + i), "{}");
      }
      given()
          .queryParam("search", "k*")
          .get(KV + b + "/search-by-key")
          .then()
          .body("body.results", hasSize(10))
          .body("metadata.hits", equalTo(10));
      Response r = given().queryParam("search", "k*").get(KV + b + "/search-by-key?limit=3");
      assertEquals(List.of("ka", "kb", "kc"), keysOf(r));
    }

    @Test
    void noMatchIsAnEmptyResult() {
      String b = newBucket();
      put(b, "a", "{}");
      given()
          .queryParam("search", "z*")
          .get(KV + b + "/search-by-key")
          .then()
          .statusCode(200)
          .body("body.results", empty())
          .body("body.results_total", equalTo(0))
          .body("metadata.hits", equalTo(0));
    }

    @Test
    void deletedEntriesAreNotFound() {
      String b = newBucket();
      put(b, "k1", "{}");
      put(b, "k2", "{}");
      delete(b, "k1");
      Response r = given().queryParam("search", "k*").get(KV + b + "/search-by-key");
      assertEquals(List.of("k2"), keysOf(r));
    }

    @Test
    void starMatchesKeysThatContainAStar() {
      String b = newBucket();
      for (String k : List.of("*x", "a*b", "ab")) {
        put(b, k, "{}");
      }
      assertEquals(
          List.of("a*b", "ab"),
          keysOf(given().queryParam("search", "a*").get(KV + b + "/search-by-key")));
      assertEquals(
          List.of("*x", "a*b", "ab"),
          keysOf(given().queryParam("search", "*").get(KV + b + "/search-by-key")));
    }

    @Test
    void aMissingSearchIs400() {
      String b = newBucket();
      assertError(given().get(KV + b + "/search-by-key"), 400, "validation_error");
      assertError(given().get(KV + b + "/search-by-key?search="), 400, "validation_error");
    }

    @Test
    void aSearchWithCharactersOutsideTheKeyRuleIs400() {
      String b = newBucket();
      assertError(
          given().queryParam("search", "a b*").get(KV + b + "/search-by-key"),
          400,
          "validation_error");
    }

    @Test
    void aLimitOutsideOneToOneThousandIs400() {
      String b = newBucket();
      for (String limit : List.of("0", "1001", "x")) {
        assertError(
            given().queryParam("search", "*").get(KV + b + "/search-by-key?limit=" + limit),
            400,
            "validation_error");
      }
    }

    @Test
    void aMissingBucketIs404() {
      assertError(
          given().queryParam("search", "*").get(KV + "no-such-bucket-e12/search-by-key"),
          404,
          "not_found");
    }
  }

  // ------------------------------------------------------------------------------------------

  @Nested
  class History {

    @Test
    void listsKeptRevisionsOldestFirstWithMetadata() {
      String b = newBucket("\"history\":5");
      long r1 = put(b, "k", "{\"v\":1}");
      long r2 = put(b, "k", "{\"v\":2}");
      Response r = given().get(KV + b + "/entries/k/history");
      assertEquals(200, r.statusCode());
      r.then()
          .body("body.results.revision", contains((int) r1, (int) r2))
          .body("body.results.operation", contains("put", "put"))
          .body("body.results.value.v", contains(1, 2))
          .body("body.results_total", equalTo(2))
          .body("metadata.bucket", equalTo(b))
          .body("metadata.key", equalTo("k"));
      QuivaOpenApi.assertMatches("Metadata", toJson(r.jsonPath().get("metadata")));
    }

    @Test
    void timesAreRfc3339AndAscending() {
      String b = newBucket("\"history\":5");
      put(b, "k", "{}");
      put(b, "k", "{}");
      delete(b, "k");
      List<String> times =
          given().get(KV + b + "/entries/k/history").jsonPath().getList("body.results.time");
      assertEquals(3, times.size());
      List<Instant> parsed = new ArrayList<>();
      for (String t : times) {
        parsed.add(Instant.parse(t));
      }
      for (int i = 1; i < parsed.size(); i++) {
        assertTrue(!parsed.get(i).isBefore(parsed.get(i - 1)), times.toString());
      }
      assertTrue(
          Duration.between(parsed.get(0), Instant.now()).abs().toSeconds() < 60, times.toString());
    }

    @Test
    void includesDeletesAsTombstones() {
      String b = newBucket("\"history\":5");
      put(b, "k", "{\"v\":1}");
      delete(b, "k");
      given()
          .get(KV + b + "/entries/k/history")
          .then()
          .body("body.results.operation", contains("put", "delete"))
          .body("body.results[1].value", nullValue())
          .body("body.results[0].value", not(nullValue()));
    }

    @Test
    void aKeyNeverWrittenIs404() {
      String b = newBucket();
      assertError(given().get(KV + b + "/entries/never/history"), 404, "not_found");
    }

    @Test
    void aMissingBucketIs404() {
      assertError(given().get(KV + "no-such-bucket-eh/entries/k/history"), 404, "not_found");
    }

    @Test
    void anInvalidKeyIs400() {
      String b = newBucket();
      assertError(rawGet(KV + b + "/entries/a%20b/history"), 400, "validation_error");
    }
  }

  // ------------------------------------------------------------------------------------------

  private static String toJson(Object o) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(o);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Rewrites the stored last-write time of an entry, as if it had been written then. */
  static void setUpdatedTime(String bucket, String key, long epochMillis) {
    String data = EntryApi.redisKey(bucket, "d");
    String script =
        "local r = redis.call('HGET', KEYS[1], ARGV[1]) "
            + "local n1 = string.find(r, '\\n', 1, true) "
            + "local n2 = string.find(r, '\\n', n1 + 1, true) "
            + "local n3 = string.find(r, '\\n', n2 + 1, true) "
            + "redis.call('HSET', KEYS[1], ARGV[1], string.sub(r, 1, n2) .. ARGV[2] .. "
            + "string.sub(r, n3)) return 1";
    String reply =
        RedisResource.server().command("EVAL", script, "1", data, key, Long.toString(epochMillis));
    assertEquals(":1", reply);
  }
}
