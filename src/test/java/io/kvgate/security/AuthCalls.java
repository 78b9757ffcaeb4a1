package io.kvgate.security;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvgate.support.QuivaOpenApi;
import io.kvgate.support.RawHttp;
import io.kvgate.support.TestAuth;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.UUID;

/**
 * The requests and checks the security tests share. Every request names its credential explicitly;
 * a request without any goes through {@link RawHttp#sendWithoutCredential}, since the RestAssured
 * filter of the test resource adds the bootstrap key to any request that has none.
 */
final class AuthCalls {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Why the tests that use a created API key are disabled: the Redis client speaks RESP3 (the
   * default), where HGETALL answers a map, and RedisApiKeyStore.toKey reads it by position.
   */
  static final String BUG_API_KEY_LOOKUP =
      "BUG: every use of a created API key answers 500 internal_error (RedisApiKeyStore.toKey"
          + " indexes the RESP3 map of HGETALL by position: RuntimeException 'Multi is a Map');"
          + " GET /auth/api-keys of a tenant with keys fails the same way";

  private AuthCalls() {}

  /** A tenant nobody else uses. */
  static String tenant() {
    return "tn-" + random(12);
  }

  /** A bucket name nobody else uses, starting with {@code prefix}. */
  static String bucket(String prefix) {
    return prefix + random(12);
  }

  static String bucket() {
    return bucket("s-");
  }

  static String random(int length) {
    return UUID.randomUUID().toString().replace("-", "").substring(0, length);
  }

  static RequestSpecification asKey(String key) {
    return given().header("X-Api-Key", key);
  }

  static RequestSpecification asBearer(String value) {
    return given().header("Authorization", "Bearer " + value);
  }

  static RequestSpecification asBootstrap() {
    return asKey(TestAuth.BOOTSTRAP_KEY);
  }

  /** A key as created: its id, its secret and the whole 201 answer. */
  record Key(String id, String secret, JsonPath created) {}

  /** Creates an API key with the bootstrap key (tenant "default"). */
  static Key createKey(String body) {
    return createKey(asBootstrap(), body);
  }

  /** Creates an API key with the given credential; the key belongs to that credential's tenant. */
  static Key createKey(RequestSpecification as, String body) {
    JsonPath created =
        as.contentType(ContentType.JSON)
            .body(body)
            .post("/auth/api-keys")
            .then()
            .statusCode(201)
            .extract()
            .jsonPath();
    return new Key(created.getString("id"), created.getString("key"), created);
  }

  /** An unrestricted key of tenant "default" with the given permissions. */
  static Key key(String... permissions) {
    return createKey("{\"name\":\"test\",\"permissions\":" + array(List.of(permissions)) + "}");
  }

  /** A key of tenant "default" limited to the given bucket globs. */
  static Key limitedKey(List<String> globs, String... permissions) {
    return createKey(
        "{\"name\":\"limited\",\"permissions\":"
            + array(List.of(permissions))
            + ",\"buckets\":"
            + array(globs)
            + "}");
  }

  static String array(List<String> values) {
    try {
      return JSON.writeValueAsString(values);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Creates a bucket with the given credential (K2). */
  static void createBucket(RequestSpecification as, String name) {
    as.contentType(ContentType.JSON)
        .body("{\"bucket\":\"" + name + "\"}")
        .post("/storage/kv")
        .then()
        .statusCode(200);
  }

  /** Writes {@code {"v":value}} under {@code key} with the given credential (K9). */
  static void write(RequestSpecification as, String bucket, String key, int value) {
    as.contentType(ContentType.JSON)
        .body("{\"v\":" + value + "}")
        .put("/storage/kv/" + bucket + "/entries/" + key)
        .then()
        .statusCode(200);
  }

  /** A request that carries no credential whatsoever. */
  static RawHttp.Reply anonymous(String method, String path) {
    return RawHttp.sendWithoutCredential(method, path, null);
  }

  /** Asserts an error answer: status, code, a message, and the public ErrorResponse schema. */
  static void assertError(Response r, int status, String code) {
    QuivaOpenApi.assertError(r, status, code);
  }

  /**
   * Asserts 401 unauthorized with its JSON body and a {@code WWW-Authenticate: Bearer} challenge.
   */
  static void assertUnauthorized(Response r) {
    assertError(r, 401, "unauthorized");
    assertChallenge(r.header("WWW-Authenticate"));
  }

  static void assertUnauthorized(RawHttp.Reply r) {
    assertEquals(401, r.status(), "status of " + r);
    assertTrue(
        String.valueOf(r.header("Content-Type")).startsWith("application/json"),
        "Content-Type " + r.header("Content-Type"));
    JsonNode body = tree(r.body());
    assertEquals("unauthorized", body.path("error").asText(), r.body());
    assertTrue(!body.path("message").asText().isBlank(), "no message in " + r.body());
    QuivaOpenApi.assertMatches("ErrorResponse", r.body());
    assertChallenge(r.header("WWW-Authenticate"));
  }

  private static void assertChallenge(String challenge) {
    assertNotNull(challenge, "no WWW-Authenticate header on a 401");
    assertTrue(challenge.startsWith("Bearer"), "WWW-Authenticate: " + challenge);
  }

  static void assertForbidden(Response r) {
    assertError(r, 403, "forbidden");
  }

  static void assertNotFound(Response r) {
    assertError(r, 404, "not_found");
  }

  static JsonNode tree(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
