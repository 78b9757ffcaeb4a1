package io.kvgate.security;

import static io.kvgate.security.AuthCalls.asBearer;
import static io.kvgate.security.AuthCalls.asBootstrap;
import static io.kvgate.security.AuthCalls.asKey;
import static io.kvgate.security.AuthCalls.assertError;
import static io.kvgate.security.AuthCalls.assertNotFound;
import static io.kvgate.security.AuthCalls.assertUnauthorized;
import static io.kvgate.security.AuthCalls.bucket;
import static io.kvgate.security.AuthCalls.createBucket;
import static io.kvgate.security.AuthCalls.createKey;
import static io.kvgate.security.AuthCalls.key;
import static io.kvgate.security.AuthCalls.sleep;
import static io.kvgate.security.AuthCalls.tenant;
import static io.kvgate.security.AuthCalls.tree;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kvgate.security.AuthCalls.Key;
import io.kvgate.support.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code /auth/api-keys}: create (the secret shown once), list (never secrets), revoke. */
@QuarkusTest
@WithTestResource(RedisResource.class)
class ApiKeysTest {
  private static final String KEY_FORMAT = "kvg_[0-9A-Za-z]{40}";

  private static Response post(RequestSpecification as, String body) {
    return as.contentType(ContentType.JSON).body(body).post("/auth/api-keys");
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new TreeSet<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }

  private static Set<String> texts(JsonNode array) {
    Set<String> out = new TreeSet<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** The listed item of a key, or null. */
  private static JsonNode listedItem(RequestSpecification as, String id) {
    String body = as.get("/auth/api-keys").then().statusCode(200).extract().asString();
    for (JsonNode item : tree(body).path("results")) {
      if (id.equals(item.path("id").asText())) {
        return item;
      }
    }
    return null;
  }

  /** Every key and every hash value Redis holds, as text (through redis-cli). */
  private static String redisDump() {
    String port = Integer.toString(RedisResource.server().port());
    StringBuilder out = new StringBuilder();
    for (String k : redisCli(port, "--scan").split("\n")) {
      if (k.isBlank()) {
        continue;
      }
      out.append(k).append('\n');
      if ("hash".equals(redisCli(port, "TYPE", k).strip())) {
        out.append(redisCli(port, "HGETALL", k));
      }
    }
    return out.toString();
  }

  private static String redisCli(String port, String... args) {
    List<String> cmd = new ArrayList<>(List.of("redis-cli", "-p", port));
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor();
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("redis-cli is needed for this test", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Nested
  class Create {
    @Test
    void answers201WithTheKeyShownOnce() {
      Instant before = Instant.now().minusSeconds(1);
      Response r = post(asBootstrap(), "{\"name\":\"reader\",\"permissions\":[\"kv:read\"]}");
      r.then().statusCode(201).contentType(org.hamcrest.Matchers.startsWith("application/json"));
      JsonNode body = tree(r.asString());
      assertEquals(
          Set.of("id", "key", "name", "permissions", "buckets", "created", "expires_at"),
          fieldNames(body),
          r.asString());
      assertFalse(body.path("id").asText().isBlank());
      assertTrue(body.path("key").asText().matches(KEY_FORMAT), body.path("key").asText());
      assertEquals("reader", body.path("name").asText());
      assertEquals(Set.of("kv:read"), texts(body.path("permissions")));
      assertTrue(body.path("buckets").isNull(), "buckets " + body.path("buckets"));
      assertTrue(body.path("expires_at").isNull(), "expires_at " + body.path("expires_at"));
      Instant created = Instant.parse(body.path("created").asText());
      assertTrue(
          !created.isBefore(before) && created.isBefore(Instant.now().plusSeconds(1)),
          "created " + created);
    }

    @Test
    void echoesBucketsAndExpiry() {
      Key k =
          createKey(
              "{\"name\":\"limited\",\"permissions\":[\"kv:write\"],"
                  + "\"buckets\":[\"orders-*\",\"users-??\"],\"expires_in\":3600}");
      assertEquals(List.of("orders-*", "users-??"), k.created().getList("buckets"));
      Instant created = Instant.parse(k.created().getString("created"));
      Instant expires = Instant.parse(k.created().getString("expires_at"));
      assertEquals(Duration.ofSeconds(3600), Duration.between(created, expires));
    }

    @Test
    void listsEveryPermissionGiven() {
      Key k = key("kv:admin", "kv:read", "kv:read");
      assertEquals(
          Set.of("kv:admin", "kv:read"), new TreeSet<>(k.created().getList("permissions")));
    }

    @Test
    void aTenantFieldInTheRequestIsIgnored() {
      String victim = tenant();
      createKey(
          "{\"name\":\"sneaky\",\"permissions\":[\"kv:admin\"],\"tenant\":\"" + victim + "\"}");
      Response r = asBearer(Token.valid(victim).rs256()).get("/auth/api-keys");
      r.then().statusCode(200);
      assertEquals(0, tree(r.asString()).path("results_total").asInt(-1), "a key in " + victim);
    }

    @Test
    void everyKeyIsNew() {
      Key one = key("kv:read");
      Key two = key("kv:read");
      assertNotEquals(one.id(), two.id());
      assertNotEquals(one.secret(), two.secret());
    }

    @Test
    void onlyAHashOfTheSecretIsStored() {
      Key k = key("kv:read");
      String digest = Secrets.hex(Secrets.sha256(k.secret()));
      assertEquals(":1", RedisResource.server().command("EXISTS", "kvg:apikey:" + digest));
      String dump = redisDump();
      assertTrue(dump.contains(digest), "the digest is not where expected");
      assertFalse(dump.contains(k.secret()), "the secret is stored in Redis");
      assertFalse(
          dump.contains(k.secret().substring(4)), "the secret without its prefix is in Redis");
    }

    @Test
    void createdKeyWorksAtOnce() {
      Key k = key("kv:read");
      asKey(k.secret()).get("/storage/kv").then().statusCode(200);
    }

    @Test
    void keyActsForTheTenantOfItsCreator() {
      String tenant = tenant();
      String bucket = bucket();
      RequestSpecification admin = asBearer(Token.valid(tenant).rs256());
      createBucket(admin, bucket);
      Key k =
          createKey(
              asBearer(Token.valid(tenant).rs256()),
              "{\"name\":\"t\",\"permissions\":[\"kv:read\"]}");
      asKey(k.secret()).get("/storage/kv/" + bucket).then().statusCode(200);
      asBootstrap().get("/storage/kv/" + bucket).then().statusCode(404);
    }
  }

  @Nested
  class ListKeys {
    @Test
    void aTenantWithoutKeysListsNone() {
      Response r = asBearer(Token.valid(tenant()).rs256()).get("/auth/api-keys");
      r.then().statusCode(200);
      JsonNode body = tree(r.asString());
      assertEquals(0, body.path("results").size());
      assertEquals(0, body.path("results_total").asInt(-1));
    }

    @Test
    void listsTheKeyWithoutItsSecret() {
      Key k =
          createKey("{\"name\":\"listed\",\"permissions\":[\"kv:write\"],\"buckets\":[\"a-*\"]}");
      String body = asBootstrap().get("/auth/api-keys").then().statusCode(200).extract().asString();
      assertFalse(body.contains(k.secret()), "the secret is listed");
      assertFalse(body.contains(Secrets.hex(Secrets.sha256(k.secret()))), "the digest is listed");
      JsonNode item = listedItem(asBootstrap(), k.id());
      assertNotNull(item, "the key is not listed");
      assertEquals(
          Set.of("id", "name", "permissions", "buckets", "created", "expires_at", "last_used_at"),
          fieldNames(item));
      assertEquals("listed", item.path("name").asText());
      assertEquals(Set.of("kv:write"), texts(item.path("permissions")));
      assertEquals(Set.of("a-*"), texts(item.path("buckets")));
      assertTrue(item.path("last_used_at").isNull());
    }

    @Test
    void listShowsTheTimesTheCreationAnswered() {
      Key k = createKey("{\"name\":\"times\",\"permissions\":[\"kv:read\"],\"expires_in\":60}");
      JsonNode item = listedItem(asBootstrap(), k.id());
      assertNotNull(item, "the key is not listed");
      assertEquals(k.created().getString("created"), item.path("created").asText());
      assertEquals(k.created().getString("expires_at"), item.path("expires_at").asText());
    }

    @Test
    void resultsTotalIsTheNumberOfResults() {
      String tenant = tenant();
      RequestSpecification admin = asBearer(Token.valid(tenant).rs256());
      createKey(admin, "{\"name\":\"one\",\"permissions\":[\"kv:read\"]}");
      createKey(
          asBearer(Token.valid(tenant).rs256()),
          "{\"name\":\"two\",\"permissions\":[\"kv:read\"]}");
      JsonNode body =
          tree(
              asBearer(Token.valid(tenant).rs256())
                  .get("/auth/api-keys")
                  .then()
                  .statusCode(200)
                  .extract()
                  .asString());
      assertEquals(2, body.path("results").size());
      assertEquals(2, body.path("results_total").asInt());
    }

    @Test
    void lastUsedAtIsSetAfterAUse() {
      Key k = key("kv:read");
      Instant created = Instant.parse(k.created().getString("created"));
      asKey(k.secret()).get("/storage/kv").then().statusCode(200);
      JsonNode item = null;
      long deadline = System.currentTimeMillis() + 3000;
      while (System.currentTimeMillis() < deadline) {
        item = listedItem(asBootstrap(), k.id());
        if (item != null && !item.path("last_used_at").isNull()) {
          break;
        }
        sleep(50);
      }
      assertNotNull(item);
      assertFalse(item.path("last_used_at").isNull(), "last_used_at still null after a use");
      Instant used = Instant.parse(item.path("last_used_at").asText());
      assertFalse(used.isBefore(created), "last used " + used + " before created " + created);
    }

    @Test
    void anotherTenantDoesNotSeeTheKeys() {
      key("kv:read");
      Response r = asBearer(Token.valid(tenant()).rs256()).get("/auth/api-keys");
      r.then().statusCode(200);
      assertEquals(0, tree(r.asString()).path("results_total").asInt(-1));
    }
  }

  @Nested
  class Revoke {
    @Test
    void answers204AndTheKeyIsRefused() {
      Key k = key("kv:read");
      Response r = asBootstrap().delete("/auth/api-keys/" + k.id());
      r.then().statusCode(204);
      assertEquals("", r.asString());
      assertUnauthorized(asKey(k.secret()).get("/storage/kv"));
    }

    @Test
    void secondRevocationIs404() {
      Key k = key("kv:read");
      asBootstrap().delete("/auth/api-keys/" + k.id()).then().statusCode(204);
      assertNotFound(asBootstrap().delete("/auth/api-keys/" + k.id()));
    }

    @Test
    void unknownIdIs404() {
      assertNotFound(asBootstrap().delete("/auth/api-keys/no-such-key-id"));
    }

    @Test
    void theRecordIsGoneFromRedis() {
      Key k = key("kv:read");
      String digest = Secrets.hex(Secrets.sha256(k.secret()));
      asBootstrap().delete("/auth/api-keys/" + k.id()).then().statusCode(204);
      assertEquals(":0", RedisResource.server().command("EXISTS", "kvg:apikey:" + digest));
    }

    @Test
    void anotherTenantCannotRevokeAKey() {
      Key k = key("kv:read");
      assertNotFound(asBearer(Token.valid(tenant()).rs256()).delete("/auth/api-keys/" + k.id()));
      asBootstrap().delete("/auth/api-keys/" + k.id()).then().statusCode(204); // still there
    }

    @Test
    void revokedKeyIsNotListed() {
      Key k = key("kv:read");
      assertNotNull(listedItem(asBootstrap(), k.id()));
      asBootstrap().delete("/auth/api-keys/" + k.id()).then().statusCode(204);
      assertEquals(null, listedItem(asBootstrap(), k.id()));
    }
  }

  /** Each invalid request: 400 validation_error, and no key made (the tenant still lists none). */
  @Nested
  class Validation {
    final String tenant = tenant();

    private void assertRefused(String body) {
      assertError(post(asBearer(Token.valid(tenant).rs256()), body), 400, "validation_error");
      Response list = asBearer(Token.valid(tenant).rs256()).get("/auth/api-keys");
      list.then().statusCode(200);
      assertEquals(0, tree(list.asString()).path("results_total").asInt(-1), "a key was made");
    }

    @Test
    void theSameRequestWithoutTheFaultIsAccepted() {
      post(asBearer(Token.valid(tenant).rs256()), "{\"name\":\"n\",\"permissions\":[\"kv:read\"]}")
          .then()
          .statusCode(201);
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "{\"permissions\":[\"kv:read\"]}",
          "{\"name\":null,\"permissions\":[\"kv:read\"]}",
          "{\"name\":\"\",\"permissions\":[\"kv:read\"]}",
          "{\"name\":\"   \",\"permissions\":[\"kv:read\"]}",
          "{\"name\":5,\"permissions\":[\"kv:read\"]}",
          "{\"name\":[\"n\"],\"permissions\":[\"kv:read\"]}"
        })
    void nameIsRequired(String body) {
      assertRefused(body);
    }

    @Test
    void nameOver100CharactersIsRefused() {
      assertRefused("{\"name\":\"" + "n".repeat(101) + "\",\"permissions\":[\"kv:read\"]}");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "{\"name\":\"n\"}",
          "{\"name\":\"n\",\"permissions\":null}",
          "{\"name\":\"n\",\"permissions\":[]}",
          "{\"name\":\"n\",\"permissions\":\"kv:read\"}",
          "{\"name\":\"n\",\"permissions\":{\"kv:read\":true}}"
        })
    void permissionsAreRequired(String body) {
      assertRefused(body);
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "[\"kv:root\"]",
          "[\"kv:read\",\"kv:root\"]",
          "[\"KV:READ\"]",
          "[\"read\"]",
          "[\"kv:read \"]",
          "[1]",
          "[null]"
        })
    void unknownPermissionIsRefused(String permissions) {
      assertRefused("{\"name\":\"n\",\"permissions\":" + permissions + "}");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "[]",
          "[\"\"]",
          "[\"orders/*\"]",
          "[\"a b\"]",
          "[\"orders.*\"]",
          "[\"{t}\"]",
          "[\"orders-[0-9]\"]",
          "[5]",
          "\"orders-*\"",
          "{\"glob\":\"*\"}"
        })
    void badBucketGlobsAreRefused(String buckets) {
      assertRefused("{\"name\":\"n\",\"permissions\":[\"kv:read\"],\"buckets\":" + buckets + "}");
    }

    @Test
    void moreThan100GlobsAreRefused() {
      List<String> globs = new ArrayList<>();
      for (int i = 0; i < 101; i++) {
        globs.add("b" + i + "-*");
      }
      assertRefused(
          "{\"name\":\"n\",\"permissions\":[\"kv:read\"],\"buckets\":"
              + AuthCalls.array(globs)
              + "}");
    }

    @Test
    void globLongerThanABucketNameIsRefused() {
      assertRefused(
          "{\"name\":\"n\",\"permissions\":[\"kv:read\"],\"buckets\":[\""
              + "a".repeat(64)
              + "\"]}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "1.5", "\"60\"", "true", "315360001", "1e3"})
    void badExpiresInIsRefused(String expiresIn) {
      assertRefused(
          "{\"name\":\"n\",\"permissions\":[\"kv:read\"],\"expires_in\":" + expiresIn + "}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "[]", "\"a\"", "{\"name\":\"n\",", "null"})
    void bodyMustBeAJsonObject(String body) {
      assertRefused(body);
    }
  }
}
