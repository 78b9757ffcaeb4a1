package io.kvgate.apify;

import static io.kvgate.apify.V2Calls.BOOTSTRAP_TENANT;
import static io.kvgate.apify.V2Calls.anonymous;
import static io.kvgate.apify.V2Calls.apiKey;
import static io.kvgate.apify.V2Calls.asKey;
import static io.kvgate.apify.V2Calls.asTenant;
import static io.kvgate.apify.V2Calls.assertError;
import static io.kvgate.apify.V2Calls.createStore;
import static io.kvgate.apify.V2Calls.getStore;
import static io.kvgate.apify.V2Calls.keys;
import static io.kvgate.apify.V2Calls.missingId;
import static io.kvgate.apify.V2Calls.newName;
import static io.kvgate.apify.V2Calls.newTenant;
import static io.kvgate.apify.V2Calls.record;
import static io.kvgate.apify.V2Calls.records;
import static io.kvgate.apify.V2Calls.send;
import static io.kvgate.apify.V2Calls.setAccess;
import static io.kvgate.apify.V2Calls.store;
import static io.kvgate.apify.V2Calls.updateStore;
import static io.kvgate.apify.V2Calls.utf8;
import static io.kvgate.apify.V2Calls.v2;
import static io.kvgate.apify.V2Calls.writeText;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kvgate.support.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code generalAccess}: which reads a caller without a credential, or with a credential of another
 * tenant, may make, and that writes always need the owner. The service runs with the default user
 * setting (restricted).
 */
@QuarkusTest
@WithTestResource(RedisResource.class)
class PublicAccessTest {

  /** A store of the bootstrap tenant with record {@code k = "public?"} and the given access. */
  record Store(String id, String name) {
    String byName() {
      return BOOTSTRAP_TENANT + "~" + name;
    }
  }

  static Store storeWith(String access) {
    String name = newName();
    String id = createStore(name).path("id").asText();
    writeText(id, "k", "public?");
    if (access != null) {
      setAccess(id, access);
    }
    return new Store(id, name);
  }

  /** Every read of a store, addressed as {@code address}, without any credential. */
  static List<V2Calls.Reply> anonymousReads(String address) {
    return List.of(
        anonymous("GET", store(address)),
        anonymous("GET", keys(address)),
        anonymous("GET", record(address, "k")),
        anonymous("GET", records(address)));
  }

  /** Every write on a store, addressed by id, without any credential. */
  static List<V2Calls.Reply> anonymousWrites(String id) {
    Map<String, String> text = Map.of("Content-Type", "text/plain");
    Map<String, String> json = Map.of("Content-Type", "application/json");
    return List.of(
        send("PUT", record(id, "k"), utf8("changed"), text),
        send("POST", record(id, "k"), utf8("changed"), text),
        anonymous("DELETE", record(id, "k")),
        send("PUT", store(id), utf8("{\"name\":\"taken-over\"}"), json),
        anonymous("DELETE", store(id)));
  }

  static void assertUntouched(Store s) {
    assertEquals("public?", v2().get(record(s.id(), "k")).asString());
    assertEquals(s.name(), getStore(s.id()).path("name").asText());
  }

  @Nested
  class Restricted {
    @Test
    void aNewStoreFollowsTheUserSetting() {
      assertEquals("FOLLOW_USER_SETTING", createStore().path("generalAccess").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"RESTRICTED", "FOLLOW_USER_SETTING"})
    void everyReadWithoutACredentialIs401(String access) {
      Store s = storeWith(access);
      for (V2Calls.Reply r : anonymousReads(s.id())) {
        assertError(r, 401, "token-not-provided");
      }
      V2Calls.Reply head = anonymous("HEAD", record(s.id(), "k"));
      assertEquals(401, head.status(), head.toString());
    }

    @Test
    void aMissingStoreWithoutACredentialIs401Too() {
      for (V2Calls.Reply r : anonymousReads(missingId())) {
        assertError(r, 401, "token-not-provided");
      }
    }

    @Test
    void listingStoresWithoutACredentialIs401() {
      assertError(anonymous("GET", V2Calls.STORES), 401, "token-not-provided");
      assertError(
          anonymous("POST", V2Calls.STORES + "?name=" + newName()), 401, "token-not-provided");
    }

    @ParameterizedTest
    @ValueSource(strings = {"RESTRICTED", "FOLLOW_USER_SETTING"})
    void anotherTenantGets404(String access) {
      Store s = storeWith(access);
      RequestSpecification other = asTenant(newTenant());
      assertError(other.get(store(s.id())), 404, "record-not-found");
      assertError(asTenant(newTenant()).get(record(s.id(), "k")), 404, "record-not-found");
      assertError(asTenant(newTenant()).get(keys(s.id())), 404, "record-not-found");
      assertError(asTenant(newTenant()).get(records(s.id())), 404, "record-not-found");
    }
  }

  @Nested
  class AnyoneWithId {
    @Test
    void readsByIdWorkWithoutACredential() {
      Store s = storeWith("ANYONE_WITH_ID_CAN_READ");
      List<V2Calls.Reply> reads = anonymousReads(s.id());
      for (V2Calls.Reply r : reads) {
        assertEquals(200, r.status(), r.toString());
      }
      assertEquals(s.id(), reads.get(0).json().path("data").path("id").asText());
      assertEquals("k", reads.get(1).json().path("data").path("items").get(0).path("key").asText());
      assertEquals("public?", reads.get(2).text());
      assertEquals("application/zip", reads.get(3).header("Content-Type"));
      assertEquals(200, anonymous("HEAD", record(s.id(), "k")).status());
    }

    @Test
    void aMissingRecordOfAPublicStoreIs404() {
      Store s = storeWith("ANYONE_WITH_ID_CAN_READ");
      assertError(anonymous("GET", record(s.id(), "nope")), 404, "record-not-found");
    }

    @Test
    void readsByNameWithoutACredentialAre401() {
      Store s = storeWith("ANYONE_WITH_ID_CAN_READ");
      for (V2Calls.Reply r : anonymousReads(s.byName())) {
        assertError(r, 401, "token-not-provided");
      }
    }

    @Test
    void writesWithoutACredentialAre401AndChangeNothing() {
      Store s = storeWith("ANYONE_WITH_ID_CAN_READ");
      for (V2Calls.Reply r : anonymousWrites(s.id())) {
        assertError(r, 401, "token-not-provided");
      }
      assertUntouched(s);
    }

    @Test
    void anotherTenantGetsTheStoreById() {
      Store s = storeWith("ANYONE_WITH_ID_CAN_READ");
      Response r = asTenant(newTenant()).get(store(s.id()));
      assertEquals(200, r.statusCode(), r.asString());
      assertEquals(s.id(), V2Calls.data(r).path("id").asText());
    }

    @Test
    void anotherTenantReadsARecordById() {
      Store s = storeWith("ANYONE_WITH_ID_CAN_READ");
      Response r = asTenant(newTenant()).get(record(s.id(), "k"));
      assertEquals(200, r.statusCode(), r.asString());
      assertEquals("public?", r.asString());
      assertEquals(200, asTenant(newTenant()).head(record(s.id(), "k")).statusCode());
    }

    @Test
    void anotherTenantListsKeysAndDownloadsTheZipById() {
      Store s = storeWith("ANYONE_WITH_ID_CAN_READ");
      Response keys = asTenant(newTenant()).get(keys(s.id()));
      assertEquals(200, keys.statusCode(), keys.asString());
      Response zip = asTenant(newTenant()).get(records(s.id()));
      assertEquals(200, zip.statusCode(), zip.asString());
    }

    @Test
    void anotherTenantCannotReadByName() {
      Store s = storeWith("ANYONE_WITH_ID_CAN_READ");
      assertError(asTenant(newTenant()).get(store(s.byName())), 404, "record-not-found");
      assertError(asTenant(newTenant()).get(record(s.byName(), "k")), 404, "record-not-found");
    }

    @Test
    void anotherTenantCannotWrite() {
      Store s = storeWith("ANYONE_WITH_ID_CAN_READ");
      String tenant = newTenant();
      // The spec: with a credential of another tenant only the public reads are allowed,
      // "otherwise 404" (not their store).
      assertError(
          asTenant(tenant).contentType("text/plain").body("changed").put(record(s.id(), "k")),
          404,
          "record-not-found");
      assertError(
          asTenant(tenant).contentType("text/plain").body("changed").post(record(s.id(), "k")),
          404,
          "record-not-found");
      assertError(asTenant(tenant).delete(record(s.id(), "k")), 404, "record-not-found");
      assertError(
          updateStore(asTenant(tenant), s.id(), "{\"name\":\"taken-over\"}"),
          404,
          "record-not-found");
      assertError(asTenant(tenant).delete(store(s.id())), 404, "record-not-found");
      assertUntouched(s);
    }

    @Test
    void aPublicStoreIsNotListedForAnotherTenant() {
      Store s = storeWith("ANYONE_WITH_ID_CAN_READ");
      Response r = asTenant(newTenant()).get(V2Calls.STORES + "?unnamed=1");
      assertEquals(200, r.statusCode());
      assertFalse(r.asString().contains(s.id()), r.asString());
    }
  }

  @Nested
  class AnyoneWithName {
    @Test
    void readsByIdAndByUsernameNameWorkWithoutACredential() {
      Store s = storeWith("ANYONE_WITH_NAME_CAN_READ");
      for (String address : List.of(s.id(), s.byName())) {
        List<V2Calls.Reply> reads = anonymousReads(address);
        for (V2Calls.Reply r : reads) {
          assertEquals(200, r.status(), address + ": " + r);
        }
        assertEquals(s.id(), reads.get(0).json().path("data").path("id").asText());
        assertEquals("public?", reads.get(2).text());
      }
    }

    @Test
    void tildeNameWithoutAUsernameStillNeedsACredential() {
      Store s = storeWith("ANYONE_WITH_NAME_CAN_READ");
      for (V2Calls.Reply r : anonymousReads("~" + s.name())) {
        assertError(r, 401, "token-not-provided");
      }
    }

    @Test
    void writesWithoutACredentialAre401AndChangeNothing() {
      Store s = storeWith("ANYONE_WITH_NAME_CAN_READ");
      for (V2Calls.Reply r : anonymousWrites(s.id())) {
        assertError(r, 401, "token-not-provided");
      }
      assertUntouched(s);
    }

    @Test
    void anotherTenantReadsByUsernameName() {
      Store s = storeWith("ANYONE_WITH_NAME_CAN_READ");
      Response r = asTenant(newTenant()).get(record(s.byName(), "k"));
      assertEquals(200, r.statusCode(), r.asString());
      assertEquals("public?", r.asString());
    }

    @Test
    void anotherTenantsTildeNameIsTheirOwnNamespace() {
      Store s = storeWith("ANYONE_WITH_NAME_CAN_READ");
      assertError(asTenant(newTenant()).get(store("~" + s.name())), 404, "record-not-found");
    }
  }

  @Nested
  class SigningSecret {
    @Test
    void isNullWithoutACredential() {
      Store s = storeWith("ANYONE_WITH_ID_CAN_READ");
      JsonNode data = anonymous("GET", store(s.id())).json().path("data");
      assertTrue(data.has("urlSigningSecretKey"), data.toString());
      assertTrue(data.path("urlSigningSecretKey").isNull(), data.toString());
    }

    @Test
    void isNullForAnotherTenant() {
      Store s = storeWith("ANYONE_WITH_NAME_CAN_READ");
      JsonNode data = getStore(asTenant(newTenant()), s.byName());
      assertTrue(data.path("urlSigningSecretKey").isNull(), data.toString());
    }

    @Test
    void isNullForAReaderOfTheOwningTenant() {
      Store s = storeWith(null);
      JsonNode data = getStore(asKey(apiKey("kv:read")), s.id());
      assertTrue(data.path("urlSigningSecretKey").isNull(), data.toString());
    }

    @Test
    void isThereForAWriterAndAnAdminOfTheOwningTenant() {
      Store s = storeWith(null);
      String secret = getStore(s.id()).path("urlSigningSecretKey").asText();
      assertFalse(secret.isBlank());
      JsonNode writer = getStore(asKey(apiKey("kv:write")), s.id());
      assertEquals(secret, writer.path("urlSigningSecretKey").asText(), writer.toString());
    }

    @Test
    void isNullInTheListForAReader() {
      Store s = storeWith(null);
      Response r = asKey(apiKey("kv:read")).get(V2Calls.STORES + "?desc=1&limit=1000");
      assertEquals(200, r.statusCode());
      for (JsonNode item : V2Calls.data(r).path("items")) {
        if (item.path("id").asText().equals(s.id())) {
          assertTrue(item.path("urlSigningSecretKey").isNull(), item.toString());
          return;
        }
      }
      throw new AssertionError(s.id() + " not listed");
    }
  }
}
