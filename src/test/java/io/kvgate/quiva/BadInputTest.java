package io.kvgate.quiva;

import static io.kvgate.quiva.KvCalls.assertError;
import static io.kvgate.quiva.KvCalls.assertUntouched;
import static io.kvgate.quiva.KvCalls.create;
import static io.kvgate.quiva.KvCalls.details;
import static io.kvgate.quiva.KvCalls.newName;
import static io.kvgate.quiva.KvCalls.write;
import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.both;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvgate.support.QuivaOpenApi;
import io.kvgate.support.RawHttp;
import io.kvgate.support.RawHttp.Reply;
import io.kvgate.support.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad input never gives a 500 and never writes: every case is a 4xx with a clear message, and the
 * bucket list, the bucket's settings or its entries are checked to be as they were.
 */
@QuarkusTest
@WithTestResource(RedisResource.class)
class BadInputTest {
  private static final int CAP = 10 * 1024 * 1024;

  /** The three endpoints that take a JSON body, each able to tell whether it wrote anything. */
  enum Target {
    CREATE_BUCKET,
    UPDATE_BUCKET,
    PUT_ENTRY
  }

  /** One attempt on a target: a fresh bucket (or name) and what it looked like before. */
  static final class Attempt {
    final Target target;
    final String bucket;
    final long bucketsBefore;
    final Map<String, Object> configBefore;
    final String modifiedBefore;

    Attempt(Target target) {
      this.target = target;
      this.bucket =
          target == Target.CREATE_BUCKET ? newName() : create("{\"description\":\"original\"}");
      this.bucketsBefore = bucketCount();
      if (target == Target.CREATE_BUCKET) {
        this.configBefore = null;
        this.modifiedBefore = null;
      } else {
        JsonPath d = details(bucket);
        this.configBefore = d.getMap("body.config");
        this.modifiedBefore = d.getString("body.status.modified");
      }
    }

    String path() {
      return switch (target) {
        case CREATE_BUCKET -> "/storage/kv";
        case UPDATE_BUCKET -> "/storage/kv/" + bucket;
        case PUT_ENTRY -> "/storage/kv/" + bucket + "/entries/k";
      };
    }

    String method() {
      return target == Target.CREATE_BUCKET ? "POST" : "PUT";
    }

    /** The body template with NAME replaced by this attempt's bucket name. */
    byte[] body(byte[] template) {
      String text = new String(template, StandardCharsets.ISO_8859_1).replace("NAME", bucket);
      return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    Response send(byte[] template, String contentType) {
      var spec = given().contentType(contentType).body(body(template));
      return spec.request(method(), path());
    }

    Response send(byte[] template) {
      return send(template, "application/json");
    }

    void assertNothingWritten() {
      assertEquals(bucketsBefore, bucketCount(), "number of buckets");
      switch (target) {
        case CREATE_BUCKET -> assertError(given().get("/storage/kv/" + bucket), 404, "not_found");
        case UPDATE_BUCKET -> {
          JsonPath d = details(bucket);
          assertEquals(configBefore, d.getMap("body.config"), "settings");
          assertEquals(modifiedBefore, d.getString("body.status.modified"), "modified");
        }
        case PUT_ENTRY -> {
          assertUntouched(bucket);
          assertEquals("original", details(bucket).getString("body.config.description"));
        }
      }
    }
  }

  /** Buckets of the default tenant, counted in Redis itself. */
  static long bucketCount() {
    return Long.parseLong(
        RedisResource.server().command("HLEN", "kvg:{t:default}:names").substring(1));
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** {@code {"bucket":"NAME","description":"changed",} + the given tail. */
  static byte[] object(String tail) {
    return ascii("{\"bucket\":\"NAME\",\"description\":\"changed\"" + tail);
  }

  /** A body whose description string carries the given raw bytes. */
  static byte[] withBytesInAString(int... raw) {
    byte[] bytes = new byte[raw.length];
    for (int i = 0; i < raw.length; i++) {
      bytes[i] = (byte) raw[i];
    }
    return concat(ascii("{\"bucket\":\"NAME\",\"description\":\"changed"), bytes, ascii("\"}"));
  }

  /** Sends a bad body to the target and checks: 400 validation_error, the message, no write. */
  static void refused(Target target, byte[] template, String messagePart) {
    Attempt attempt = new Attempt(target);
    Response r = attempt.send(template);
    assertError(r, 400, "validation_error");
    assertThat(r.jsonPath().getString("message"), containsString(messagePart));
    attempt.assertNothingWritten();
  }

  @Nested
  class MalformedJson {
    @ParameterizedTest
    @EnumSource(Target.class)
    void truncatedObject(Target target) {
      refused(target, object(""), "malformed JSON");
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void unquotedFieldName(Target target) {
      refused(target, ascii("{bucket:\"NAME\",description:\"changed\"}"), "malformed JSON");
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void singleQuotes(Target target) {
      refused(target, ascii("{'bucket':'NAME','description':'changed'}"), "malformed JSON");
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void trailingComma(Target target) {
      refused(target, object(",}"), "malformed JSON");
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void notANumber(Target target) {
      refused(target, object(",\"x\":NaN}"), "malformed JSON");
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void leadingZero(Target target) {
      refused(target, object(",\"x\":01}"), "malformed JSON");
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void comment(Target target) {
      refused(target, object("/* note */}"), "malformed JSON");
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void unescapedControlCharacterInAString(Target target) {
      refused(target, object(",\"x\":\"a\tb\"}"), "malformed JSON");
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void brokenEscape(Target target) {
      refused(target, object(",\"x\":\"\\u00\"}"), "malformed JSON");
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void duplicateFieldName(Target target) {
      refused(target, object(",\"description\":\"twice\"}"), "JSON");
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void emptyBody(Target target) {
      refused(target, new byte[0], "required");
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void onlyWhitespace(Target target) {
      refused(target, ascii("  \n "), "JSON object");
    }
  }

  @Nested
  class NotAnObject {
    @ParameterizedTest
    @EnumSource(Target.class)
    void array(Target target) {
      refused(target, ascii("[1]"), "JSON object");
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void string(Target target) {
      refused(target, ascii("\"x\""), "JSON object");
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void number(Target target) {
      refused(target, ascii("1"), "JSON object");
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void jsonNull(Target target) {
      refused(target, ascii("null"), "JSON object");
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void bool(Target target) {
      refused(target, ascii("true"), "JSON object");
    }
  }

  @Nested
  class TooComplex {
    @ParameterizedTest
    @EnumSource(Target.class)
    void objectsNested10000Deep(Target target) {
      refused(
          target, object(",\"x\":" + "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_001)), "deep");
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void arraysNested10000Deep(Target target) {
      refused(target, object(",\"x\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}"), "deep");
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void integerOf100000Digits(Target target) {
      refused(target, object(",\"x\":" + "9".repeat(100_000) + "}"), "number");
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void fractionOf100000Digits(Target target) {
      refused(target, object(",\"x\":0." + "9".repeat(100_000) + "}"), "number");
    }

    @Test
    void moderateNestingIsAccepted() {
      String bucket = create();
      String value = "{\"x\":" + "[".repeat(20) + "1" + "]".repeat(20) + "}";
      KvCalls.put(bucket, "k", value).then().statusCode(200);
      given()
          .get("/storage/kv/" + bucket + "/entries/k")
          .then()
          .statusCode(200)
          .body("body.value.x" + "[0]".repeat(20), equalTo(1));
    }
  }

  @Nested
  class InvalidUtf8 {
    @ParameterizedTest
    @EnumSource(Target.class)
    void byteFF(Target target) {
      refused(target, withBytesInAString(0xFF), "UTF-8");
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void overlongNul(Target target) {
      refused(target, withBytesInAString(0xC0, 0x80), "UTF-8");
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void encodedSurrogate(Target target) {
      refused(target, withBytesInAString(0xED, 0xA0, 0x80), "UTF-8");
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void aboveU10FFFF(Target target) {
      refused(target, withBytesInAString(0xF4, 0x90, 0x80, 0x80), "UTF-8");
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void loneContinuationByte(Target target) {
      refused(target, withBytesInAString(0x80), "UTF-8");
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void sequenceCutShort(Target target) {
      refused(target, withBytesInAString(0xE2, 0x82), "UTF-8");
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void invalidByteInAFieldName(Target target) {
      refused(
          target,
          concat(ascii("{\""), new byte[] {(byte) 0xFF}, ascii("\":1,\"bucket\":\"NAME\"}")),
          "UTF-8");
    }

    @Test
    void validMultiByteUtf8IsAcceptedAndReadBackUnchanged() {
      String bucket = create();
      String text = "h\u00e9 \u20ac \uD83D\uDE00 \uDBFF\uDFFF";
      given()
          .contentType("application/json")
          .body(("{\"t\":\"" + text + "\"}").getBytes(StandardCharsets.UTF_8))
          .put("/storage/kv/" + bucket + "/entries/k")
          .then()
          .statusCode(200);
      given()
          .get("/storage/kv/" + bucket + "/entries/k")
          .then()
          .statusCode(200)
          .body("body.value.t", equalTo(text));
    }

    @Test
    void valueSentWithAByteOrderMarkReadsBackAsJson() throws Exception {
      String bucket = create();
      byte[] body = concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, ascii("{\"v\":1}"));
      Response w =
          given()
              .contentType("application/json")
              .body(body)
              .put("/storage/kv/" + bucket + "/entries/k");
      assertThat(w.statusCode(), both(greaterThanOrEqualTo(200)).and(lessThan(500)));
      if (w.statusCode() == 200) {
        String read = given().get("/storage/kv/" + bucket + "/entries/k").asString();
        new ObjectMapper().readTree(read);
      }
    }
  }

  @Nested
  class TrailingContent {
    @ParameterizedTest
    @EnumSource(Target.class)
    void garbageAfterTheObject(Target target) {
      refused(target, object("} x"), "malformed JSON");
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void secondObjectAfterTheFirst(Target target) {
      refused(target, object("}{}"), "malformed JSON");
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void closingBracketAfterTheObject(Target target) {
      refused(target, object("}]"), "malformed JSON");
    }

    @Test
    void trailingWhitespaceIsAccepted() {
      String bucket = create();
      KvCalls.put(bucket, "k", "{\"v\":1}\r\n\t ").then().statusCode(200);
    }
  }

  @Nested
  class ContentTypes {
    @ParameterizedTest
    @EnumSource(Target.class)
    void textPlainIs415(Target target) {
      unsupported(target, "text/plain");
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void xmlIs415(Target target) {
      unsupported(target, "application/xml");
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void formIs415(Target target) {
      unsupported(target, "application/x-www-form-urlencoded");
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void lookAlikeSubtypeIs415(Target target) {
      unsupported(target, "application/jsonx");
    }

    private void unsupported(Target target, String type) {
      Attempt attempt = new Attempt(target);
      Reply r =
          RawHttp.send(
              attempt.method(), attempt.path(), attempt.body(object("}")), "Content-Type: " + type);
      assertEquals(415, r.status(), r.body());
      JsonPath error = new JsonPath(r.body());
      assertEquals("unsupported_media_type", error.getString("error"));
      assertThat(error.getString("message"), containsString("application/json"));
      QuivaOpenApi.assertMatches("ErrorResponse", r.body());
      attempt.assertNothingWritten();
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void malformedContentTypeIsRefusedAndWritesNothing(Target target) {
      Attempt attempt = new Attempt(target);
      Reply r =
          RawHttp.send(
              attempt.method(), attempt.path(), attempt.body(object("}")), "Content-Type: ;;;");
      assertThat(r.status(), both(greaterThanOrEqualTo(400)).and(lessThan(500)));
      attempt.assertNothingWritten();
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void malformedContentTypeIs415(Target target) {
      Attempt attempt = new Attempt(target);
      Reply r =
          RawHttp.send(
              attempt.method(), attempt.path(), attempt.body(object("}")), "Content-Type: ;;;");
      assertEquals(415, r.status());
      assertThat(r.body(), containsString("unsupported_media_type"));
    }

    @Test
    void absentContentTypeIsTakenAsJson() {
      String name = newName();
      Reply r = RawHttp.send("POST", "/storage/kv", ascii("{\"bucket\":\"" + name + "\"}"));
      assertEquals(200, r.status(), r.body());
      details(name);
    }
  }

  @Nested
  class BadBucketNames {
    @ParameterizedTest(name = "bucket {0}")
    @ValueSource(strings = {"-x", "_x", "a.b", "a b", "a/b", "caf\u00e9", "a\\u0000b"})
    void invalidNameInACreateBodyCreatesNothing(String name) {
      long before = bucketCount();
      Response r =
          given()
              .contentType(ContentType.JSON)
              .body("{\"bucket\":\"" + name + "\"}")
              .post("/storage/kv");
      assertError(r, 400, "validation_error");
      assertThat(r.jsonPath().getString("message"), containsString("bucket"));
      assertEquals(before, bucketCount());
    }

    @ParameterizedTest(name = "path {0}")
    @ValueSource(strings = {"-x", "_x", "a.b", "a%20b", "caf%C3%A9", "a%00b"})
    void invalidNameInAnUpsertPathCreatesNothing(String name) {
      long before = bucketCount();
      Response r =
          given()
              .urlEncodingEnabled(false)
              .contentType(ContentType.JSON)
              .body("{}")
              .put("/storage/kv/" + name);
      assertError(r, 400, "validation_error");
      assertEquals(before, bucketCount());
    }

    @Test
    void nameOf64CharactersInAnUpsertPathCreatesNothing() {
      long before = bucketCount();
      String name = (newName() + "x".repeat(64)).substring(0, 64);
      assertError(
          given().contentType(ContentType.JSON).body("{}").put("/storage/kv/" + name),
          400,
          "validation_error");
      assertEquals(before, bucketCount());
    }

    @Test
    void invalidNameInAnEntryPathCreatesNothing() {
      long before = bucketCount();
      Response r =
          given().contentType(ContentType.JSON).body("{\"v\":1}").put("/storage/kv/-x/entries/k");
      assertError(r, 400, "validation_error");
      assertEquals(before, bucketCount());
    }
  }

  @Nested
  class BadKeys {
    private void refusedKey(String encodedKey) {
      String bucket = create();
      Response r =
          given()
              .urlEncodingEnabled(false)
              .contentType(ContentType.JSON)
              .body("{\"v\":1}")
              .put("/storage/kv/" + bucket + "/entries/" + encodedKey);
      assertError(r, 400, "validation_error");
      assertThat(r.jsonPath().getString("message"), containsString("key"));
      assertUntouched(bucket);
    }

    @ParameterizedTest(name = "key {0}")
    @ValueSource(
        strings = {
          "a%20b",
          "a$b",
          "a,b",
          "a%25b",
          "a+b",
          "caf%C3%A9",
          "a%00b",
          "a%22b",
          "a%5Cb",
          "a%3Cb",
          "a%7Cb",
          "a%0Ab",
          "%FF",
          "%C0%80"
        })
    void keyWithACharacterOutsideTheSetIs400(String encodedKey) {
      refusedKey(encodedKey);
    }

    @Test
    void keyOf513CharactersIs400() {
      refusedKey("k".repeat(513));
    }

    @Test
    void keyOf512CharactersIsAccepted() {
      String bucket = create();
      KvCalls.put(bucket, "k".repeat(512), "{\"v\":1}").then().statusCode(200);
    }

    @Test
    void keyWithEverySpecialCharacterOfTheSetIsAccepted() {
      String bucket = create();
      String key = "a!'()*-_.=:@~/b";
      KvCalls.put(bucket, key, "{\"v\":1}").then().statusCode(200);
      given()
          .get("/storage/kv/" + bucket + "/entries")
          .then()
          .statusCode(200)
          .body("body.results[0].key", equalTo(key));
    }

    /** Sends the path exactly as written: no client-side normalisation of dot segments. */
    private void refusedRawKey(String rawKey) {
      String bucket = create("{\"description\":\"original\"}");
      Reply r =
          RawHttp.send(
              "PUT",
              "/storage/kv/" + bucket + "/entries/" + rawKey,
              ascii("{\"description\":\"hijacked\"}"),
              "Content-Type: application/json");
      assertEquals(400, r.status(), r.body());
      assertThat(r.body(), containsString("validation_error"));
      assertUntouched(bucket);
      assertEquals("original", details(bucket).getString("body.config.description"));
    }

    @Test
    void keyWithADotDotSegmentIs400() {
      refusedRawKey("a/../b");
    }

    @Test
    void keyWithADotSegmentIs400() {
      refusedRawKey("a/./b");
    }

    @Test
    void keyWithAnEmptySegmentIs400() {
      refusedRawKey("a//b");
    }

    @Test
    void keyWithALeadingSlashIs400() {
      refusedRawKey("/a");
    }

    @Test
    void keyWithATrailingSlashIs400() {
      refusedRawKey("a/");
    }

    @Test
    void keyThatIsDotDotIs400() {
      refusedRawKey("..");
    }

    @Test
    void keyThatIsEncodedDotDotIs400() {
      refusedRawKey("%2E%2E");
    }

    @Test
    void keyWithASemicolonIs400() {
      refusedRawKey("a;b");
    }

    @Test
    void deleteOfKeyEncodedDotDotKeepsTheBucket() {
      String bucket = create();
      write(bucket, "k", "{\"v\":1}");
      Reply r = RawHttp.send("DELETE", "/storage/kv/" + bucket + "/entries/%2E%2E", null);
      assertEquals(400, r.status(), r.body());
      assertEquals(1, details(bucket).getLong("body.status.entries"));
    }

    @Test
    void deleteOfAKeyCannotReachAnotherBucket() {
      String bucket = create();
      String other = create();
      Reply r = RawHttp.send("DELETE", "/storage/kv/" + bucket + "/entries/../../" + other, null);
      assertThat(r.status(), both(greaterThanOrEqualTo(400)).and(lessThan(500)));
      details(other);
    }
  }

  @Nested
  class LimitParameter {
    @ParameterizedTest(name = "limit={0}")
    @ValueSource(strings = {"0", "1001", "abc", "-1", "1.5", "99999999999"})
    void entriesListWithLimitOutOfRangeIs400(String limit) {
      outOfRange("/entries?limit=" + limit);
    }

    @ParameterizedTest(name = "limit={0}")
    @ValueSource(strings = {"0", "1001", "abc", "-1", "1.5", "99999999999"})
    void searchByKeyWithLimitOutOfRangeIs400(String limit) {
      outOfRange("/search-by-key?search=k*&limit=" + limit);
    }

    private void outOfRange(String pathAndQuery) {
      String bucket = create();
      write(bucket, "k", "{\"v\":1}");
      JsonPath before = details(bucket);
      Response r = given().get("/storage/kv/" + bucket + pathAndQuery);
      assertError(r, 400, "validation_error");
      assertThat(r.jsonPath().getString("message"), containsString("limit"));
      JsonPath after = details(bucket);
      assertEquals(before.getLong("body.status.revision"), after.getLong("body.status.revision"));
      assertEquals(before.getLong("body.status.entries"), after.getLong("body.status.entries"));
    }

    @Test
    void limitsOneAndOneThousandAreAccepted() {
      String bucket = create();
      given().get("/storage/kv/" + bucket + "/entries?limit=1").then().statusCode(200);
      given().get("/storage/kv/" + bucket + "/entries?limit=1000").then().statusCode(200);
      given()
          .get("/storage/kv/" + bucket + "/search-by-key?search=a*&limit=1")
          .then()
          .statusCode(200);
      given()
          .get("/storage/kv/" + bucket + "/search-by-key?search=a*&limit=1000")
          .then()
          .statusCode(200);
    }
  }

  @Nested
  class BadHeadersAndQuery {
    @Test
    void ifMatchThatIsNotARevisionIs400() {
      String bucket = create();
      Response r =
          given()
              .contentType(ContentType.JSON)
              .header("If-Match", "garbage")
              .body("{\"v\":1}")
              .put("/storage/kv/" + bucket + "/entries/k");
      assertError(r, 400, "validation_error");
      assertThat(r.jsonPath().getString("message"), containsString("If-Match"));
      assertUntouched(bucket);
    }

    @ParameterizedTest(name = "ttl={0}")
    @ValueSource(strings = {"-1", "abc", "315360001"})
    void entryTtlOutOfRangeIs400(String ttl) {
      String bucket = create();
      Response r =
          given()
              .contentType(ContentType.JSON)
              .body("{\"v\":1}")
              .put("/storage/kv/" + bucket + "/entries/k?ttl=" + ttl);
      assertError(r, 400, "validation_error");
      assertThat(r.jsonPath().getString("message"), containsString("ttl"));
      assertUntouched(bucket);
    }

    @Test
    void malformedContentLengthIs400AndWritesNothing() {
      String bucket = create();
      Reply r =
          RawHttp.send(
              "PUT",
              "/storage/kv/" + bucket + "/entries/k",
              null,
              "Content-Type: application/json",
              "Content-Length: abc");
      assertEquals(400, r.status());
      assertUntouched(bucket);
    }

    @Test
    void malformedPercentEncodingInTheKeyIs400AndWritesNothing() {
      String bucket = create();
      Reply r =
          RawHttp.send(
              "PUT",
              "/storage/kv/" + bucket + "/entries/a%ZZ",
              ascii("{\"v\":1}"),
              "Content-Type: application/json");
      assertEquals(400, r.status());
      assertUntouched(bucket);
    }
  }

  @Nested
  class BodyCap {
    @Test
    void declaredLengthOverTheCapIs413BeforeTheBodyIsSent() {
      String bucket = create();
      Reply r =
          RawHttp.sendHead(
              "PUT",
              "/storage/kv/" + bucket + "/entries/k",
              "Content-Type: application/json",
              "Content-Length: " + (CAP + 1));
      assertEquals(413, r.status());
      assertThat(r.header("content-type"), startsWith("application/json"));
      assertThat(r.body(), containsString("\"payload_too_large\""));
      QuivaOpenApi.assertMatches("ErrorResponse", r.body());
      assertUntouched(bucket);
    }

    @Test
    void declaredLengthOverTheCapOnCreateCreatesNothing() {
      long before = bucketCount();
      Reply r =
          RawHttp.sendHead(
              "POST",
              "/storage/kv",
              "Content-Type: application/json",
              "Content-Length: " + (CAP + 1));
      assertEquals(413, r.status());
      assertThat(r.body(), containsString("\"payload_too_large\""));
      assertEquals(before, bucketCount());
    }

    @Test
    void bodyOneByteOverTheCapWithContentLengthIs413() {
      String bucket = create();
      byte[] body = jsonOfSize(CAP + 1);
      Reply r =
          RawHttp.send(
              "PUT",
              "/storage/kv/" + bucket + "/entries/k",
              body,
              "Content-Type: application/json");
      assertEquals(413, r.status());
      assertThat(r.body(), containsString("\"payload_too_large\""));
      assertUntouched(bucket);
    }

    @Test
    void chunkedBodyOverTheCapIs413AndWritesNothing() {
      String bucket = create();
      Reply r =
          RawHttp.sendChunked(
              "PUT",
              "/storage/kv/" + bucket + "/entries/k",
              "application/json",
              ascii("{\"x\":\""),
              CAP + 64 * 1024,
              ascii("\"}"));
      assertEquals(413, r.status());
      assertUntouched(bucket);
    }

    @Test
    void chunkedBodyOverTheCapOnCreateCreatesNothing() {
      long before = bucketCount();
      Reply r =
          RawHttp.sendChunked(
              "POST",
              "/storage/kv",
              "application/json",
              ascii("{\"bucket\":\"" + newName() + "\",\"x\":\""),
              CAP + 64 * 1024,
              ascii("\"}"));
      assertEquals(413, r.status());
      assertEquals(before, bucketCount());
    }

    @Test
    void bodyOfExactlyTheCapIsAccepted() {
      String bucket = create();
      Reply r =
          RawHttp.send(
              "PUT",
              "/storage/kv/" + bucket + "/entries/k",
              jsonOfSize(CAP),
              "Content-Type: application/json");
      assertEquals(200, r.status(), r.body());
      assertEquals(CAP, details(bucket).getLong("body.status.bytes"));
    }

    @Test
    void chunkedBodyUnderTheCapIsAccepted() {
      String bucket = create();
      Reply r =
          RawHttp.sendChunked(
              "PUT",
              "/storage/kv/" + bucket + "/entries/k",
              "application/json",
              ascii("{\"x\":\""),
              1024 * 1024,
              ascii("\"}"));
      assertEquals(200, r.status(), r.body());
      assertEquals(1024 * 1024 + 8, details(bucket).getLong("body.status.bytes"));
    }

    /** A JSON object of exactly {@code size} bytes. */
    private byte[] jsonOfSize(int size) {
      byte[] body = new byte[size];
      java.util.Arrays.fill(body, (byte) 'a');
      byte[] head = ascii("{\"x\":\"");
      System.arraycopy(head, 0, body, 0, head.length);
      body[size - 2] = '"';
      body[size - 1] = '}';
      return body;
    }
  }
}
