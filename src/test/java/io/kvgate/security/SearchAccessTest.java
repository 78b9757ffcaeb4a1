package io.kvgate.security;

import static io.kvgate.security.AuthCalls.anonymous;
import static io.kvgate.security.AuthCalls.asBearer;
import static io.kvgate.security.AuthCalls.asKey;
import static io.kvgate.security.AuthCalls.assertForbidden;
import static io.kvgate.security.AuthCalls.assertNotFound;
import static io.kvgate.security.AuthCalls.assertUnauthorized;
import static io.kvgate.security.AuthCalls.bucket;
import static io.kvgate.security.AuthCalls.key;
import static io.kvgate.security.AuthCalls.limitedKey;
import static io.kvgate.security.AuthCalls.tenant;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvgate.support.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Who may search a bucket's fields (K11): kv:read, the bucket globs, and tenant isolation. */
@QuarkusTest
@WithTestResource(RedisResource.class)
class SearchAccessTest {

  /** A bucket of the caller's tenant mapping {@code v} as a number, holding {@code k = {v: 1}}. */
  private static String indexedBucket(RequestSpecification admin, String name) {
    admin
        .contentType(ContentType.JSON)
        .body(
            "{\"bucket\":\""
                + name
                + "\",\"indexing\":{\"mappings\":[{\"field\":\"v\",\"field_type\":\"number\"}],"
                + "\"partitions\":1,\"replicas\":1,\"storage_type\":\"file\"}}")
        .post("/storage/kv")
        .then()
        .statusCode(200);
    AuthCalls.write(AuthCalls.asBootstrap(), name, "k", 1);
    return name;
  }

  private static String path(String bucket) {
    return "/storage/kv/" + bucket + "/search?field=v&search=1";
  }

  @Test
  void aReadKeyFindsTheEntry() {
    String b = indexedBucket(AuthCalls.asBootstrap(), bucket());
    List<String> keys =
        asKey(key("kv:read").secret())
            .get(path(b))
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getList("body.results.key");
    assertEquals(List.of("k"), keys);
  }

  @Test
  void aKeyLimitedToOtherBucketsIs403() {
    String b = indexedBucket(AuthCalls.asBootstrap(), bucket("s-"));
    assertForbidden(asKey(limitedKey(List.of("other-*"), "kv:read").secret()).get(path(b)));
    asKey(limitedKey(List.of("s-*"), "kv:read").secret()).get(path(b)).then().statusCode(200);
  }

  @Test
  void aTokenWithoutKvPermissionsIs403() {
    String b = indexedBucket(AuthCalls.asBootstrap(), bucket());
    String t = tenant();
    String name = bucket();
    indexedBucketOf(t, name);
    assertForbidden(asBearer(Token.valid(t).with("scope", "profile").rs256()).get(path(name)));
    assertEquals(
        200,
        asBearer(Token.valid(t).with("scope", "kv:read").rs256()).get(path(name)).statusCode());
    assertEquals(200, AuthCalls.asBootstrap().get(path(b)).statusCode());
  }

  @Test
  void anotherTenantsBucketIs404() {
    String b = indexedBucket(AuthCalls.asBootstrap(), bucket());
    assertNotFound(asBearer(Token.valid(tenant()).with("scope", "kv:admin").rs256()).get(path(b)));
  }

  @Test
  void noCredentialIs401() {
    String b = indexedBucket(AuthCalls.asBootstrap(), bucket());
    assertUnauthorized(anonymous("GET", path(b)));
  }

  private static void indexedBucketOf(String tenant, String name) {
    RequestSpecification admin = asBearer(Token.valid(tenant).rs256());
    admin
        .contentType(ContentType.JSON)
        .body(
            "{\"bucket\":\""
                + name
                + "\",\"indexing\":{\"mappings\":[{\"field\":\"v\",\"field_type\":\"number\"}]}}")
        .post("/storage/kv")
        .then()
        .statusCode(200);
    AuthCalls.write(asBearer(Token.valid(tenant).rs256()), name, "k", 1);
  }
}
