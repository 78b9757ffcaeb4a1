package io.kvgate.quiva;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvgate.support.QuivaOpenApi;
import io.kvgate.support.RedisResource;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The calls and checks the {@code /storage/kv} tests share: one random bucket per test. */
final class KvCalls {
  private KvCalls() {}

  /** A bucket name nobody else uses. */
  static String newName() {
    return "t-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  }

  /** Creates a bucket with the given JSON settings (without "bucket") and returns its name. */
  static String create(String settings) {
    String name = newName();
    String inner = settings.strip();
    String body =
        inner.equals("{}")
            ? "{\"bucket\":\"" + name + "\"}"
            : "{\"bucket\":\"" + name + "\"," + inner.substring(1);
    given()
        .contentType(ContentType.JSON)
        .body(body)
        .post("/storage/kv")
        .then()
        .statusCode(200)
        .body("message", equalTo("success"));
    return name;
  }

  /** Creates a bucket with the defaults and returns its name. */
  static String create() {
    return create("{}");
  }

  /** K3 of an existing bucket. */
  static JsonPath details(String bucket) {
    return given().get("/storage/kv/" + bucket).then().statusCode(200).extract().jsonPath();
  }

  /** The K1 item of a bucket, or null when it is not listed. */
  static Map<String, Object> listed(String bucket) {
    List<Map<String, Object>> results =
        given()
            .get("/storage/kv")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getList("body.results");
    return results.stream().filter(r -> bucket.equals(r.get("name"))).findFirst().orElse(null);
  }

  /** The names of every listed bucket. */
  static List<String> listedNames() {
    return given()
        .get("/storage/kv")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getList("body.results.name");
  }

  /** K9 with a JSON object; returns the response unchecked. */
  static Response put(String bucket, String key, String json) {
    return given()
        .contentType(ContentType.JSON)
        .body(json)
        .put("/storage/kv/" + bucket + "/entries/" + key);
  }

  /** K9 that must succeed. */
  static void write(String bucket, String key, String json) {
    put(bucket, key, json).then().statusCode(200);
  }

  /** The internal id of a bucket, as K3 shows it in stream_info.config.metadata. */
  static String bucketId(String bucket) {
    return details(bucket).getString("body.stream_info.config.metadata.bucket_id");
  }

  /** How many Redis keys the bucket with this id has (every key carries the id as hash tag). */
  static long redisKeysOf(String id) {
    String reply = RedisResource.server().command("KEYS", "kvg:{" + id + "}:*");
    return Long.parseLong(reply.substring(1));
  }

  /** Asserts an error response: status, JSON error code, a message, and the public schema. */
  static void assertError(Response r, int status, String code) {
    QuivaOpenApi.assertError(r, status, code);
  }

  /** Asserts {@code {"message":"success"}} with status 200 and the public schema. */
  static void assertSuccess(Response r) {
    r.then().statusCode(200).body("message", equalTo("success"));
    QuivaOpenApi.assertMatches("SuccessMessage", r.asString());
  }

  /** Asserts that a bucket holds nothing: no entries, no bytes, revision 0. */
  static void assertUntouched(String bucket) {
    JsonPath d = details(bucket);
    assertEquals(0, d.getLong("body.status.entries"), "entries");
    assertEquals(0, d.getLong("body.status.bytes"), "bytes");
    assertEquals(0, d.getLong("body.status.revision"), "revision");
  }
}
