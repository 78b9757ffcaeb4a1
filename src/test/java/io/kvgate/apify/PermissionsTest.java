package io.kvgate.apify;

import static io.kvgate.apify.V2Calls.STORES;
import static io.kvgate.apify.V2Calls.anonymous;
import static io.kvgate.apify.V2Calls.apiKey;
import static io.kvgate.apify.V2Calls.asBearer;
import static io.kvgate.apify.V2Calls.asKey;
import static io.kvgate.apify.V2Calls.assertError;
import static io.kvgate.apify.V2Calls.createStore;
import static io.kvgate.apify.V2Calls.createUnnamed;
import static io.kvgate.apify.V2Calls.getStore;
import static io.kvgate.apify.V2Calls.jwt;
import static io.kvgate.apify.V2Calls.keys;
import static io.kvgate.apify.V2Calls.newName;
import static io.kvgate.apify.V2Calls.newTenant;
import static io.kvgate.apify.V2Calls.record;
import static io.kvgate.apify.V2Calls.records;
import static io.kvgate.apify.V2Calls.store;
import static io.kvgate.apify.V2Calls.updateStore;
import static io.kvgate.apify.V2Calls.v2;
import static io.kvgate.apify.V2Calls.writeText;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvgate.support.RedisResource;
import io.kvgate.support.TestAuth;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Who may call what on {@code /v2}: kv:read reads, kv:write writes records, kv:admin manages
 * stores; bucket globs narrow a credential to named stores; 401 for no or a wrong credential.
 */
@QuarkusTest
@WithTestResource(RedisResource.class)
class PermissionsTest {

  /** A store of the bootstrap tenant holding {@code k = "v"}; returns its id. */
  static String filledStore(String name) {
    String id = createStore(name).path("id").asText();
    writeText(id, "k", "v");
    return id;
  }

  static String filledStore() {
    return filledStore(newName());
  }

  static Response putText(RequestSpecification as, String id, String key, String text) {
    return as.contentType("text/plain").body(text).put(record(id, key));
  }

  static void assertForbidden(Response r) {
    assertError(r, 403, "insufficient-permissions");
  }

  static String value(String id, String key) {
    return v2().get(record(id, key)).asString();
  }

  @Nested
  class ReadPermission {
    private String readerKey;

    /** A kv:read key of the bootstrap tenant, made once per test. */
    RequestSpecification reader() {
      if (readerKey == null) {
        readerKey = apiKey("kv:read");
      }
      return asKey(readerKey);
    }

    @Test
    void listsAndReadsEverything() {
      String id = filledStore();
      assertEquals(200, reader().get(STORES).statusCode());
      assertEquals(id, getStore(reader(), id).path("id").asText());
      assertEquals(200, reader().get(keys(id)).statusCode());
      assertEquals("v", reader().get(record(id, "k")).asString());
      assertEquals(200, reader().head(record(id, "k")).statusCode());
      assertEquals(200, reader().get(records(id)).statusCode());
    }

    @Test
    void cannotPutPostOrDeleteARecord() {
      String id = filledStore();
      assertForbidden(putText(reader(), id, "k", "changed"));
      assertForbidden(reader().contentType("text/plain").body("x").post(record(id, "k")));
      assertForbidden(reader().delete(record(id, "k")));
      assertEquals("v", value(id, "k"));
    }

    @Test
    void cannotManageStores() {
      String name = newName();
      String id = filledStore(name);
      assertForbidden(reader().post(STORES + "?name=" + newName()));
      assertForbidden(updateStore(reader(), id, "{\"name\":\"" + newName() + "\"}"));
      assertForbidden(reader().delete(store(id)));
      assertEquals(name, getStore(id).path("name").asText());
    }
  }

  @Nested
  class WritePermission {
    private String key;

    @BeforeEach
    void writer() {
      key = apiKey("kv:write");
    }

    @Test
    void putsPostsAndDeletesRecords() {
      String id = filledStore();
      assertEquals(201, putText(asKey(key), id, "k", "put").statusCode());
      assertEquals("put", value(id, "k"));
      assertEquals(
          201,
          asKey(key).contentType("text/plain").body("post").post(record(id, "k")).statusCode());
      assertEquals("post", value(id, "k"));
      assertEquals(204, asKey(key).delete(record(id, "k")).statusCode());
      assertEquals(404, v2().get(record(id, "k")).statusCode());
    }

    @Test
    void alsoReads() {
      String id = filledStore();
      assertEquals("v", asKey(key).get(record(id, "k")).asString());
      assertEquals(200, asKey(key).get(keys(id)).statusCode());
    }

    @Test
    void cannotCreateUpdateOrDeleteAStore() {
      String name = newName();
      String id = filledStore(name);
      String wanted = newName();
      assertForbidden(asKey(key).post(STORES + "?name=" + wanted));
      assertForbidden(asKey(key).post(STORES));
      assertForbidden(updateStore(asKey(key), id, "{\"generalAccess\":\"RESTRICTED\"}"));
      assertForbidden(asKey(key).delete(store(id)));
      assertEquals(name, getStore(id).path("name").asText());
      assertEquals("FOLLOW_USER_SETTING", getStore(id).path("generalAccess").asText());
      assertError(v2().get(store("~" + wanted)), 404, "record-not-found");
    }
  }

  @Nested
  class AdminPermission {
    @Test
    void doesEverything() {
      String key = apiKey("kv:admin");
      String name = newName();
      Response created = asKey(key).post(STORES + "?name=" + name);
      assertEquals(201, created.statusCode(), created.asString());
      String id = V2Calls.data(created).path("id").asText();
      assertEquals(201, putText(asKey(key), id, "k", "v").statusCode());
      assertEquals("v", asKey(key).get(record(id, "k")).asString());
      assertEquals(200, asKey(key).get(keys(id)).statusCode());
      assertEquals(
          200, updateStore(asKey(key), id, "{\"generalAccess\":\"RESTRICTED\"}").statusCode());
      assertEquals(204, asKey(key).delete(record(id, "k")).statusCode());
      assertEquals(204, asKey(key).delete(store(id)).statusCode());
    }

    @Test
    void aJwtWithKvAdminOfTheTenantDoesEverythingToo() {
      String tenant = newTenant();
      RequestSpecification admin = asBearer(jwt(tenant, "kv:admin", null));
      String id = createStore(admin, newName()).path("id").asText();
      assertEquals(
          201, putText(asBearer(jwt(tenant, "kv:admin", null)), id, "k", "v").statusCode());
      assertEquals(204, asBearer(jwt(tenant, "kv:admin", null)).delete(store(id)).statusCode());
    }

    @Test
    void aJwtWithKvReadCannotWrite() {
      String tenant = newTenant();
      String id =
          createStore(asBearer(jwt(tenant, "kv:admin", null)), newName()).path("id").asText();
      assertForbidden(putText(asBearer(jwt(tenant, "kv:read", null)), id, "k", "v"));
    }
  }

  @Nested
  class BucketGlobs {
    @Test
    void aMatchingStoreIsReachable() {
      String name = "app-" + V2Calls.random(10);
      String id = filledStore(name);
      String key = apiKey(v2(), List.of("app-*"), "kv:admin");
      assertEquals("v", asKey(key).get(record(id, "k")).asString());
      assertEquals(201, putText(asKey(key), id, "k2", "w").statusCode());
      assertEquals(200, asKey(key).get(store("~" + name)).statusCode());
    }

    @Test
    void anotherStoreIs403() {
      String id = filledStore("other-" + V2Calls.random(10));
      String key = apiKey(v2(), List.of("app-*"), "kv:admin");
      assertForbidden(asKey(key).get(store(id)));
      assertForbidden(asKey(key).get(record(id, "k")));
      assertForbidden(asKey(key).get(keys(id)));
      assertForbidden(putText(asKey(key), id, "k", "changed"));
      assertForbidden(asKey(key).delete(store(id)));
      assertEquals("v", value(id, "k"));
    }

    @Test
    void anUnnamedStoreIs403() {
      String id = createUnnamed().path("id").asText();
      writeText(id, "k", "v");
      String key = apiKey(v2(), List.of("app-*"), "kv:admin");
      assertForbidden(asKey(key).get(store(id)));
      assertForbidden(asKey(key).get(record(id, "k")));
      assertForbidden(putText(asKey(key), id, "k", "changed"));
    }

    @Test
    void createsOnlyMatchingNames() {
      String key = apiKey(v2(), List.of("app-*"), "kv:admin");
      String name = "app-" + V2Calls.random(10);
      assertEquals(201, asKey(key).post(STORES + "?name=" + name).statusCode());
      String other = "other-" + V2Calls.random(10);
      assertForbidden(asKey(key).post(STORES + "?name=" + other));
      assertError(v2().get(store("~" + other)), 404, "record-not-found");
    }

    @Test
    void aJwtWithBucketsIsNarrowedTheSameWay() {
      String tenant = newTenant();
      RequestSpecification admin = asBearer(jwt(tenant, "kv:admin", null));
      String app = createStore(admin, "app-" + V2Calls.random(8)).path("id").asText();
      String other =
          createStore(asBearer(jwt(tenant, "kv:admin", null)), "other-" + V2Calls.random(8))
              .path("id")
              .asText();
      String scoped = jwt(tenant, "kv:read", List.of("app-*"));
      assertEquals(200, asBearer(scoped).get(store(app)).statusCode());
      assertForbidden(asBearer(scoped).get(store(other)));
    }
  }

  @Nested
  class Authentication {
    @Test
    void noCredentialIs401TokenNotProvided() {
      String id = filledStore();
      assertError(anonymous("GET", STORES), 401, "token-not-provided");
      assertError(anonymous("GET", record(id, "k")), 401, "token-not-provided");
    }

    @Test
    void aWrongApiKeyIs401InvalidToken() {
      String id = filledStore();
      String wrong = "kvg_" + "A".repeat(40);
      assertError(asKey(wrong).get(STORES), 401, "invalid-token");
      assertError(asKey(wrong).get(record(id, "k")), 401, "invalid-token");
      assertError(asBearer(wrong).get(STORES), 401, "invalid-token");
    }

    @Test
    void aBadJwtIs401InvalidToken() {
      String token = jwt(newTenant(), "kv:admin", null);
      String broken = token.substring(0, token.length() - 4) + "AAAA";
      assertError(asBearer(broken).get(STORES), 401, "invalid-token");
    }

    @Test
    void aRevokedApiKeyIs401InvalidToken() {
      Response created =
          v2().contentType("application/json")
              .body("{\"name\":\"revoked\",\"permissions\":[\"kv:read\"]}")
              .post("/auth/api-keys");
      assertEquals(201, created.statusCode(), created.asString());
      String secret = created.jsonPath().getString("key");
      assertEquals(200, asKey(secret).get(STORES).statusCode());
      v2().delete("/auth/api-keys/" + created.jsonPath().getString("id")).then().statusCode(204);
      V2Calls.sleep(1100);
      assertError(asKey(secret).get(STORES), 401, "invalid-token");
    }

    @Test
    void tokenQueryParameterCarriesAnApiKey() {
      String id = filledStore();
      V2Calls.Reply r = anonymous("GET", record(id, "k") + "?token=" + TestAuth.BOOTSTRAP_KEY);
      assertEquals(200, r.status(), r.toString());
      assertEquals("v", r.text());
      assertEquals(200, anonymous("GET", STORES + "?token=" + apiKey("kv:read")).status());
    }

    @Test
    void tokenQueryParameterCarriesAJwt() {
      String tenant = newTenant();
      String id = createStore(V2Calls.asTenant(tenant), newName()).path("id").asText();
      V2Calls.Reply r = anonymous("GET", store(id) + "?token=" + jwt(tenant, "kv:read", null));
      assertEquals(200, r.status(), r.toString());
      assertEquals(id, r.json().path("data").path("id").asText());
    }

    @Test
    void tokenQueryParameterAllowsWrites() {
      String id = filledStore();
      V2Calls.Reply r =
          V2Calls.send(
              "PUT",
              record(id, "k") + "?token=" + TestAuth.BOOTSTRAP_KEY,
              V2Calls.utf8("via token"),
              Map.of("Content-Type", "text/plain"));
      assertEquals(201, r.status(), r.toString());
      assertEquals("via token", value(id, "k"));
    }

    @Test
    void aWrongTokenQueryParameterIs401InvalidToken() {
      assertError(anonymous("GET", STORES + "?token=kvg_" + "B".repeat(40)), 401, "invalid-token");
    }

    @Test
    void aTokenQueryParameterWithAKeyOfTooFewPermissionsIs403() {
      String id = filledStore();
      V2Calls.Reply r =
          V2Calls.send(
              "PUT",
              record(id, "k") + "?token=" + apiKey("kv:read"),
              V2Calls.utf8("nope"),
              Map.of("Content-Type", "text/plain"));
      assertError(r, 403, "insufficient-permissions");
      assertEquals("v", value(id, "k"));
    }
  }
}
