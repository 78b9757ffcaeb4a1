package io.kvgate.apify;

import static io.kvgate.apify.V2Calls.BOOTSTRAP_TENANT;
import static io.kvgate.apify.V2Calls.ID;
import static io.kvgate.apify.V2Calls.STORES;
import static io.kvgate.apify.V2Calls.TIME;
import static io.kvgate.apify.V2Calls.anonymous;
import static io.kvgate.apify.V2Calls.asTenant;
import static io.kvgate.apify.V2Calls.assertError;
import static io.kvgate.apify.V2Calls.baseUrl;
import static io.kvgate.apify.V2Calls.createStore;
import static io.kvgate.apify.V2Calls.createUnnamed;
import static io.kvgate.apify.V2Calls.data;
import static io.kvgate.apify.V2Calls.getStore;
import static io.kvgate.apify.V2Calls.keysPage;
import static io.kvgate.apify.V2Calls.missingId;
import static io.kvgate.apify.V2Calls.newName;
import static io.kvgate.apify.V2Calls.newTenant;
import static io.kvgate.apify.V2Calls.pathAndQuery;
import static io.kvgate.apify.V2Calls.record;
import static io.kvgate.apify.V2Calls.sleep;
import static io.kvgate.apify.V2Calls.stats;
import static io.kvgate.apify.V2Calls.store;
import static io.kvgate.apify.V2Calls.updateStore;
import static io.kvgate.apify.V2Calls.utf8;
import static io.kvgate.apify.V2Calls.v2;
import static io.kvgate.apify.V2Calls.write;
import static io.kvgate.apify.V2Calls.writeText;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kvgate.support.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Endpoints 1-5 of {@code /v2/key-value-stores} (list, create-or-get, get, update, delete), the
 * store object and its stats, and the three ways to address a store.
 */
@QuarkusTest
@WithTestResource(RedisResource.class)
class StoresTest {
  private static final List<String> STORE_FIELDS =
      List.of(
          "id",
          "name",
          "userId",
          "username",
          "createdAt",
          "modifiedAt",
          "accessedAt",
          "actId",
          "actRunId",
          "consoleUrl",
          "keysPublicUrl",
          "urlSigningSecretKey",
          "generalAccess",
          "stats");
  private static final List<String> STAT_FIELDS =
      List.of(
          "readCount", "writeCount", "deleteCount", "listCount", "s3StorageBytes", "storageBytes");

  private static Instant time(JsonNode store, String field) {
    return Instant.parse(store.path(field).asText());
  }

  private static List<String> ids(JsonNode list) {
    List<String> ids = new ArrayList<>();
    list.path("items").forEach(item -> ids.add(item.path("id").asText()));
    return ids;
  }

  private static JsonNode list(RequestSpecification as, String query) {
    Response r = as.get(STORES + (query.isEmpty() ? "" : "?" + query));
    assertEquals(200, r.statusCode(), r.asString());
    return data(r);
  }

  /** A fresh tenant with {@code named} named stores and one unnamed, created in that order. */
  private record Tenant(String name, List<String> named, String unnamed) {
    RequestSpecification as() {
      return asTenant(name);
    }
  }

  private static Tenant tenantWithStores(int named) {
    String tenant = newTenant();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < named; i++) {
      ids.add(createStore(asTenant(tenant), "s" + i + "-" + V2Calls.random(6)).path("id").asText());
      sleep(3);
    }
    String unnamed = createUnnamed(asTenant(tenant)).path("id").asText();
    return new Tenant(tenant, ids, unnamed);
  }

  @Nested
  class ListStores {
    @Test
    void listsTheNamedStoresOfTheTenantOldestFirst() {
      Tenant t = tenantWithStores(3);
      JsonNode list = list(t.as(), "");
      assertEquals(t.named(), ids(list));
      assertEquals(3, list.path("total").asInt());
      assertEquals(3, list.path("count").asInt());
      assertEquals(0, list.path("offset").asInt());
      assertEquals(1000, list.path("limit").asInt());
      assertFalse(list.path("desc").asBoolean());
      assertTrue(list.path("desc").isBoolean(), "desc " + list.path("desc"));
      assertTrue(list.path("unnamed").isBoolean(), "unnamed " + list.path("unnamed"));
      assertFalse(list.path("unnamed").asBoolean());
    }

    @Test
    void itemsAreWholeStoreObjects() {
      Tenant t = tenantWithStores(1);
      JsonNode item = list(t.as(), "").path("items").get(0);
      for (String field : STORE_FIELDS) {
        assertTrue(item.has(field), field + " missing in " + item);
      }
      assertEquals(t.named().get(0), item.path("id").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"unnamed=true", "unnamed=1"})
    void unnamedTrueListsUnnamedStoresToo(String query) {
      Tenant t = tenantWithStores(2);
      JsonNode list = list(t.as(), query);
      List<String> expected = new ArrayList<>(t.named());
      expected.add(t.unnamed());
      assertEquals(expected, ids(list));
      assertEquals(3, list.path("total").asInt());
      assertEquals(3, list.path("count").asInt());
      assertTrue(list.path("unnamed").asBoolean());
    }

    @ParameterizedTest
    @ValueSource(strings = {"unnamed=false", "unnamed=0"})
    void unnamedFalseListsNamedStoresOnly(String query) {
      Tenant t = tenantWithStores(2);
      assertEquals(t.named(), ids(list(t.as(), query)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"desc=true", "desc=1"})
    void descListsNewestFirst(String query) {
      Tenant t = tenantWithStores(3);
      JsonNode list = list(t.as(), query);
      assertEquals(List.of(t.named().get(2), t.named().get(1), t.named().get(0)), ids(list));
      assertTrue(list.path("desc").asBoolean());
    }

    @Test
    void offsetAndLimitPickAPage() {
      Tenant t = tenantWithStores(4);
      JsonNode page = list(t.as(), "offset=1&limit=2");
      assertEquals(t.named().subList(1, 3), ids(page));
      assertEquals(4, page.path("total").asInt());
      assertEquals(2, page.path("count").asInt());
      assertEquals(1, page.path("offset").asInt());
      assertEquals(2, page.path("limit").asInt());
    }

    @Test
    void offsetAndLimitWithDescPageFromTheNewest() {
      Tenant t = tenantWithStores(4);
      assertEquals(
          List.of(t.named().get(2), t.named().get(1)),
          ids(list(t.as(), "desc=1&offset=1&limit=2")));
    }

    @Test
    void anOffsetPastTheEndGivesNoItemsButTheTotal() {
      Tenant t = tenantWithStores(2);
      JsonNode page = list(t.as(), "offset=10");
      assertEquals(List.of(), ids(page));
      assertEquals(0, page.path("count").asInt());
      assertEquals(2, page.path("total").asInt());
    }

    @Test
    void aLimitOverTheMaximumIsClampedTo1000() {
      Tenant t = tenantWithStores(1);
      JsonNode page = list(t.as(), "limit=5000");
      assertEquals(1000, page.path("limit").asInt());
      assertEquals(1, page.path("count").asInt());
    }

    @Test
    void anotherTenantsStoresAreNotListed() {
      Tenant t = tenantWithStores(1);
      Tenant other = tenantWithStores(1);
      JsonNode list = list(t.as(), "unnamed=1");
      assertFalse(ids(list).contains(other.named().get(0)));
      assertFalse(ids(list).contains(other.unnamed()));
    }

    @Test
    void aTenantWithoutStoresListsNothing() {
      JsonNode list = list(asTenant(newTenant()), "");
      assertEquals(0, list.path("total").asInt());
      assertEquals(0, list.path("count").asInt());
      assertTrue(list.path("items").isArray());
      assertEquals(0, list.path("items").size());
    }

    @ParameterizedTest
    @ValueSource(
        strings = {"limit=abc", "limit=0", "limit=-1", "offset=-1", "offset=abc", "limit=1.5"})
    void aBadNumberIs400InvalidParameter(String query) {
      assertError(v2().get(STORES + "?" + query), 400, "invalid-parameter");
    }
  }

  @Nested
  class CreateStore {
    @Test
    void aNewNameIs201WithLocationAndTheStore() {
      String name = newName();
      Response r = v2().post(STORES + "?name=" + name);
      assertEquals(201, r.statusCode(), r.asString());
      JsonNode store = data(r);
      assertEquals(name, store.path("name").asText());
      assertTrue(store.path("id").asText().matches(ID), store.toString());
      assertEquals(baseUrl() + STORES + "/" + store.path("id").asText(), r.header("Location"));
      assertEquals(store.path("id").asText(), getStore("~" + name).path("id").asText());
    }

    @Test
    void anExistingNameIs200WithTheSameStore() {
      String name = newName();
      JsonNode first = createStore(name);
      Response again = v2().post(STORES + "?name=" + name);
      assertEquals(200, again.statusCode(), again.asString());
      assertEquals(first.path("id").asText(), data(again).path("id").asText());
      assertEquals(name, data(again).path("name").asText());
    }

    @Test
    void withoutANameEveryCallMakesANewUnnamedStore() {
      Response first = v2().post(STORES);
      Response second = v2().post(STORES);
      assertEquals(201, first.statusCode(), first.asString());
      assertEquals(201, second.statusCode(), second.asString());
      assertTrue(data(first).path("name").isNull(), data(first).toString());
      assertTrue(data(second).path("name").isNull(), data(second).toString());
      assertNotEquals(data(first).path("id").asText(), data(second).path("id").asText());
      assertTrue(first.header("Location").endsWith(STORES + "/" + data(first).path("id").asText()));
    }

    @Test
    void namesAreCaseSensitive() {
      String name = "Case" + V2Calls.random(10);
      String lower = createStore(name.toLowerCase()).path("id").asText();
      String upper = createStore(name).path("id").asText();
      assertNotEquals(lower, upper);
    }

    @Test
    void anEmptyJsonBodyIsAccepted() {
      Response r =
          v2().contentType(ContentType.JSON).body("{}").post(STORES + "?name=" + newName());
      assertEquals(201, r.statusCode(), r.asString());
    }

    @Test
    void aSchemaBodyIs400InvalidInputAndCreatesNothing() {
      String name = newName();
      Response r =
          v2().contentType(ContentType.JSON)
              .body(
                  "{\"schema\":{\"actorKeyValueStoreSchemaVersion\":1,\"title\":\"t\","
                      + "\"collections\":{}}}")
              .post(STORES + "?name=" + name);
      assertError(r, 400, "invalid-input");
      assertError(v2().get(store("~" + name)), 404, "record-not-found");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-starts-with-dash", "_underscore-first", "has%20space", "dot.name"})
    void aBadNameIs400InvalidParameter(String name) {
      assertError(
          v2().urlEncodingEnabled(false).post(STORES + "?name=" + name), 400, "invalid-parameter");
    }

    @Test
    void aNameOf64CharactersIs400AndOf63Is201() {
      assertError(v2().post(STORES + "?name=" + "n".repeat(64)), 400, "invalid-parameter");
      String name = "n" + V2Calls.random(30) + "x".repeat(32);
      assertEquals(63, name.length());
      assertEquals(name, createStore(name).path("name").asText());
    }
  }

  @Nested
  class GetStore {
    @Test
    void hasEveryFieldWithItsType() {
      String name = newName();
      JsonNode s = getStore(createStore(name).path("id").asText());
      for (String field : STORE_FIELDS) {
        assertTrue(s.has(field), field + " missing in " + s);
      }
      assertTrue(s.path("id").asText().matches(ID), "id " + s.path("id"));
      assertEquals(name, s.path("name").asText());
      assertTrue(s.path("userId").asText().matches(ID), "userId " + s.path("userId"));
      assertEquals(BOOTSTRAP_TENANT, s.path("username").asText());
      for (String field : List.of("createdAt", "modifiedAt", "accessedAt")) {
        assertTrue(s.path(field).asText().matches(TIME), field + " " + s.path(field));
      }
      assertTrue(s.path("actId").isNull(), "actId " + s.path("actId"));
      assertTrue(s.path("actRunId").isNull(), "actRunId " + s.path("actRunId"));
      assertTrue(s.path("consoleUrl").isNull(), "consoleUrl " + s.path("consoleUrl"));
      assertTrue(
          s.path("urlSigningSecretKey").isTextual(), "secret " + s.path("urlSigningSecretKey"));
      assertFalse(s.path("urlSigningSecretKey").asText().isBlank());
      assertEquals("FOLLOW_USER_SETTING", s.path("generalAccess").asText());
      JsonNode stats = s.path("stats");
      for (String field : STAT_FIELDS) {
        assertTrue(stats.path(field).isIntegralNumber(), field + " in " + stats);
        assertEquals(0, stats.path(field).asLong(), field + " of a new store");
      }
    }

    @Test
    void createdAtIsNowAndTheOtherTimesStartThere() {
      Instant before = Instant.now().minusSeconds(5);
      JsonNode s = createStore();
      Instant created = time(s, "createdAt");
      assertTrue(created.isAfter(before) && created.isBefore(Instant.now().plusSeconds(5)));
      assertFalse(time(s, "modifiedAt").isBefore(created));
      assertFalse(time(s, "accessedAt").isBefore(created));
    }

    @Test
    void userIdIsTheSameForEveryStoreOfATenantAndDiffersBetweenTenants() {
      String a = createStore().path("userId").asText();
      String b = createUnnamed().path("userId").asText();
      assertEquals(a, b);
      String tenant = newTenant();
      JsonNode other = createStore(asTenant(tenant), newName());
      assertTrue(other.path("userId").asText().matches(ID));
      assertNotEquals(a, other.path("userId").asText());
      assertEquals(tenant, other.path("username").asText());
    }

    @Test
    void keysPublicUrlIsSignedAndWorksWithoutACredential() {
      JsonNode s = createStore();
      String id = s.path("id").asText();
      writeText(id, "k", "v");
      String url = getStore(id).path("keysPublicUrl").asText();
      assertTrue(url.startsWith(baseUrl() + STORES + "/" + id + "/keys?"), url);
      assertTrue(V2Calls.queryParam(url, "signature").isPresent(), url);
      V2Calls.Reply r = anonymous("GET", pathAndQuery(url));
      assertEquals(200, r.status(), r.toString());
      assertEquals("k", r.json().path("data").path("items").get(0).path("key").asText());
    }

    @Test
    void writeCountAndBytesFollowRecordWrites() {
      String id = createStore().path("id").asText();
      write(id, "a", "text/plain", utf8("abc"));
      write(id, "b", "text/plain", utf8("hello"));
      JsonNode stats = stats(id);
      assertEquals(2, stats.path("writeCount").asLong());
      assertEquals(8, stats.path("storageBytes").asLong());
      assertEquals(8, stats.path("s3StorageBytes").asLong());
      v2().contentType("text/plain").body(utf8("hi")).post(record(id, "b")).then().statusCode(201);
      stats = stats(id);
      assertEquals(3, stats.path("writeCount").asLong(), "POST counts as a write");
      assertEquals(5, stats.path("storageBytes").asLong(), "overwritten b");
      assertEquals(5, stats.path("s3StorageBytes").asLong());
    }

    @Test
    void readCountFollowsRecordGetAndHead() {
      String id = createStore().path("id").asText();
      writeText(id, "a", "abc");
      v2().get(record(id, "a")).then().statusCode(200);
      assertEquals(1, stats(id).path("readCount").asLong());
      v2().head(record(id, "a")).then().statusCode(200);
      assertEquals(2, stats(id).path("readCount").asLong());
      assertEquals(0, stats(id).path("listCount").asLong());
    }

    @Test
    void listCountFollowsKeysListings() {
      String id = createStore().path("id").asText();
      keysPage(id, "");
      keysPage(id, "limit=1");
      assertEquals(2, stats(id).path("listCount").asLong());
      assertEquals(0, stats(id).path("readCount").asLong());
    }

    @Test
    void deleteCountFollowsDeletesThatRemovedSomething() {
      String id = createStore().path("id").asText();
      writeText(id, "a", "abc");
      writeText(id, "b", "hello");
      v2().delete(record(id, "a")).then().statusCode(204);
      JsonNode stats = stats(id);
      assertEquals(1, stats.path("deleteCount").asLong());
      assertEquals(5, stats.path("storageBytes").asLong());
      assertEquals(5, stats.path("s3StorageBytes").asLong());
      v2().delete(record(id, "a")).then().statusCode(204);
      assertEquals(1, stats(id).path("deleteCount").asLong(), "a missing record removed nothing");
    }

    @Test
    void storageBytesCountsCompressedRecordsAsStored() {
      String id = createStore().path("id").asText();
      byte[] gz = V2Calls.gzip(utf8("x".repeat(1000)));
      V2Calls.writeEncoded(id, "g", "text/plain", "gzip", gz);
      assertEquals(gz.length, stats(id).path("storageBytes").asLong());
      assertEquals(gz.length, stats(id).path("s3StorageBytes").asLong());
    }

    @Test
    void aRecordPutMovesModifiedAtAndAccessedAt() {
      String id = createStore().path("id").asText();
      JsonNode before = getStore(id);
      sleep(15);
      writeText(id, "a", "1");
      JsonNode after = getStore(id);
      assertTrue(time(after, "modifiedAt").isAfter(time(before, "modifiedAt")), after.toString());
      assertTrue(time(after, "accessedAt").isAfter(time(before, "accessedAt")), after.toString());
      assertEquals(time(before, "createdAt"), time(after, "createdAt"));
    }

    @Test
    void aRecordDeleteMovesModifiedAtAndAccessedAt() {
      String id = createStore().path("id").asText();
      writeText(id, "a", "1");
      JsonNode before = getStore(id);
      sleep(15);
      v2().delete(record(id, "a")).then().statusCode(204);
      JsonNode after = getStore(id);
      assertTrue(time(after, "modifiedAt").isAfter(time(before, "modifiedAt")), after.toString());
      assertTrue(time(after, "accessedAt").isAfter(time(before, "accessedAt")), after.toString());
    }

    @Test
    void readsAndListingsMoveAccessedAtButNotModifiedAt() {
      String id = createStore().path("id").asText();
      writeText(id, "a", "1");
      List<Supplier<Response>> reads =
          List.of(
              () -> v2().get(record(id, "a")),
              () -> v2().head(record(id, "a")),
              () -> v2().get(V2Calls.keys(id)),
              () -> v2().get(V2Calls.records(id)));
      for (Supplier<Response> read : reads) {
        JsonNode before = getStore(id);
        sleep(15);
        read.get().then().statusCode(200);
        JsonNode after = getStore(id);
        assertTrue(
            time(after, "accessedAt").isAfter(time(before, "accessedAt")),
            "accessedAt did not move: " + after);
        assertEquals(time(before, "modifiedAt"), time(after, "modifiedAt"));
      }
    }

    @Test
    void anUpdateMovesModifiedAt() {
      String id = createStore().path("id").asText();
      JsonNode before = getStore(id);
      sleep(15);
      updateStore(v2(), id, "{\"name\":\"" + newName() + "\"}").then().statusCode(200);
      JsonNode after = getStore(id);
      assertTrue(time(after, "modifiedAt").isAfter(time(before, "modifiedAt")), after.toString());
    }

    @Test
    void aMissingStoreIs404RecordNotFound() {
      assertError(v2().get(store(missingId())), 404, "record-not-found");
    }
  }

  @Nested
  class UpdateStore {
    @Test
    void renamesTheStore() {
      String old = newName();
      String id = createStore(old).path("id").asText();
      String name = newName();
      Response r = updateStore(v2(), id, "{\"name\":\"" + name + "\"}");
      assertEquals(200, r.statusCode(), r.asString());
      assertEquals(name, data(r).path("name").asText());
      assertEquals(id, data(r).path("id").asText());
      assertEquals(id, getStore("~" + name).path("id").asText());
      assertError(v2().get(store("~" + old)), 404, "record-not-found");
    }

    @Test
    void renamingAnUnnamedStoreNamesIt() {
      String id = createUnnamed().path("id").asText();
      String name = newName();
      updateStore(v2(), id, "{\"name\":\"" + name + "\"}").then().statusCode(200);
      assertEquals(id, getStore("~" + name).path("id").asText());
    }

    @Test
    void nameNullMakesTheStoreUnnamed() {
      Tenant t = tenantWithStores(1);
      String id = t.named().get(0);
      Response r = updateStore(t.as(), id, "{\"name\":null}");
      assertEquals(200, r.statusCode(), r.asString());
      assertTrue(data(r).path("name").isNull(), data(r).toString());
      assertFalse(ids(list(t.as(), "")).contains(id), "still listed as named");
      assertTrue(ids(list(t.as(), "unnamed=1")).contains(id));
    }

    @Test
    void aNameAnotherStoreUsesIs400NameNotUnique() {
      String taken = newName();
      createStore(taken);
      String mine = newName();
      String id = createStore(mine).path("id").asText();
      assertError(updateStore(v2(), id, "{\"name\":\"" + taken + "\"}"), 400, "name-not-unique");
      assertEquals(mine, getStore(id).path("name").asText());
    }

    @Test
    void aNameUsedByAnotherTenantIsFree() {
      String name = newName();
      createStore(asTenant(newTenant()), name);
      String id = createStore().path("id").asText();
      updateStore(v2(), id, "{\"name\":\"" + name + "\"}").then().statusCode(200);
      assertEquals(name, getStore(id).path("name").asText());
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "RESTRICTED",
          "ANYONE_WITH_ID_CAN_READ",
          "ANYONE_WITH_NAME_CAN_READ",
          "FOLLOW_USER_SETTING"
        })
    void setsGeneralAccess(String access) {
      String id = createStore().path("id").asText();
      Response r = updateStore(v2(), id, "{\"generalAccess\":\"" + access + "\"}");
      assertEquals(200, r.statusCode(), r.asString());
      assertEquals(access, data(r).path("generalAccess").asText());
      assertEquals(access, getStore(id).path("generalAccess").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"PUBLIC\"", "\"restricted\"", "1", "true"})
    void anUnknownGeneralAccessIs400InvalidParameter(String value) {
      String id = createStore().path("id").asText();
      assertError(
          updateStore(v2(), id, "{\"generalAccess\":" + value + "}"), 400, "invalid-parameter");
      assertEquals("FOLLOW_USER_SETTING", getStore(id).path("generalAccess").asText());
    }

    @Test
    void aBadNameIs400InvalidParameter() {
      String name = newName();
      String id = createStore(name).path("id").asText();
      assertError(updateStore(v2(), id, "{\"name\":\"-bad name\"}"), 400, "invalid-parameter");
      assertEquals(name, getStore(id).path("name").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "\"name\"", "42", "null", "{"})
    void aBodyThatIsNotAJsonObjectIs400InvalidInput(String body) {
      String name = newName();
      String id = createStore(name).path("id").asText();
      assertError(updateStore(v2(), id, body), 400, "invalid-input");
      assertEquals(name, getStore(id).path("name").asText());
    }

    @Test
    void titleAndUnknownFieldsAreIgnored() {
      String name = newName();
      String id = createStore(name).path("id").asText();
      Response r = updateStore(v2(), id, "{\"title\":\"My store\",\"colour\":\"blue\"}");
      assertEquals(200, r.statusCode(), r.asString());
      assertEquals(name, data(r).path("name").asText());
    }

    @Test
    void aMissingStoreIs404() {
      assertError(updateStore(v2(), missingId(), "{\"title\":\"x\"}"), 404, "record-not-found");
    }
  }

  @Nested
  class DeleteStore {
    @Test
    void is204ThenTheStoreIsGone() {
      String id = createStore().path("id").asText();
      writeText(id, "a", "1");
      Response r = v2().delete(store(id));
      assertEquals(204, r.statusCode(), r.asString());
      assertEquals(0, r.asByteArray().length);
      assertError(v2().get(store(id)), 404, "record-not-found");
      assertError(v2().get(record(id, "a")), 404, "record-not-found");
      assertError(v2().delete(store(id)), 404, "record-not-found");
    }

    @Test
    void theNameCanBeUsedAgainAfterwards() {
      String name = newName();
      String id = createStore(name).path("id").asText();
      v2().delete(store(id)).then().statusCode(204);
      String again = createStore(name).path("id").asText();
      assertNotEquals(id, again);
    }

    @Test
    void deletesByName() {
      String name = newName();
      String id = createStore(name).path("id").asText();
      v2().delete(store("~" + name)).then().statusCode(204);
      assertError(v2().get(store(id)), 404, "record-not-found");
    }
  }

  @Nested
  class Addressing {
    @Test
    void byIdByTildeNameAndByUsernameTildeName() {
      String name = newName();
      String id = createStore(name).path("id").asText();
      assertEquals(id, getStore(id).path("id").asText());
      assertEquals(id, getStore("~" + name).path("id").asText());
      assertEquals(id, getStore(BOOTSTRAP_TENANT + "~" + name).path("id").asText());
    }

    @Test
    void recordsAreReachableByEveryAddress() {
      String name = newName();
      String id = createStore(name).path("id").asText();
      write("~" + name, "a", "text/plain", utf8("by name"));
      assertEquals("by name", v2().get(record(id, "a")).asString());
      assertEquals("by name", v2().get(record(BOOTSTRAP_TENANT + "~" + name, "a")).asString());
    }

    @Test
    void tildeNameIsTheCallersOwnStore() {
      String name = newName();
      String mine = createStore(name).path("id").asText();
      String tenant = newTenant();
      String theirs = createStore(asTenant(tenant), name).path("id").asText();
      assertNotEquals(mine, theirs);
      assertEquals(theirs, getStore(asTenant(tenant), "~" + name).path("id").asText());
      assertEquals(mine, getStore("~" + name).path("id").asText());
    }

    @Test
    void namesAreCaseSensitive() {
      String name = "Mixed" + V2Calls.random(10);
      createStore(name);
      assertError(v2().get(store("~" + name.toLowerCase())), 404, "record-not-found");
    }

    @ParameterizedTest
    @ValueSource(strings = {"short", "ZZZZZZZZZZZZZZZZZZ", "~nope-none", "nobody~nope"})
    void anUnknownAddressIs404RecordNotFound(String address) {
      assertError(v2().get(store(address)), 404, "record-not-found");
    }

    @Test
    void anotherTenantsStoreIs404() {
      String name = newName();
      String id = createStore(name).path("id").asText();
      writeText(id, "a", "mine");
      RequestSpecification other = asTenant(newTenant());
      assertError(other.get(store(id)), 404, "record-not-found");
      assertError(
          asTenant(newTenant()).get(store(BOOTSTRAP_TENANT + "~" + name)), 404, "record-not-found");
      assertError(asTenant(newTenant()).get(record(id, "a")), 404, "record-not-found");
      assertError(
          asTenant(newTenant()).contentType("text/plain").body("theirs").put(record(id, "a")),
          404,
          "record-not-found");
      assertError(asTenant(newTenant()).delete(store(id)), 404, "record-not-found");
      assertError(
          updateStore(asTenant(newTenant()), id, "{\"name\":\"stolen\"}"), 404, "record-not-found");
      assertEquals("mine", v2().get(record(id, "a")).asString());
      assertEquals(name, getStore(id).path("name").asText());
    }
  }
}
