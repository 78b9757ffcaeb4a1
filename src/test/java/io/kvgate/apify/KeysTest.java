package io.kvgate.apify;

import static io.kvgate.apify.V2Calls.assertError;
import static io.kvgate.apify.V2Calls.baseUrl;
import static io.kvgate.apify.V2Calls.createStore;
import static io.kvgate.apify.V2Calls.fieldNames;
import static io.kvgate.apify.V2Calls.keyNames;
import static io.kvgate.apify.V2Calls.keys;
import static io.kvgate.apify.V2Calls.keysPage;
import static io.kvgate.apify.V2Calls.missingId;
import static io.kvgate.apify.V2Calls.record;
import static io.kvgate.apify.V2Calls.utf8;
import static io.kvgate.apify.V2Calls.v2;
import static io.kvgate.apify.V2Calls.write;
import static io.kvgate.apify.V2Calls.writeText;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kvgate.support.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Endpoint 6 of {@code /v2/key-value-stores}: the keys list and its cursor pagination. */
@QuarkusTest
@WithTestResource(RedisResource.class)
class KeysTest {

  static String storeWith(String... keys) {
    String id = createStore().path("id").asText();
    for (String key : keys) {
      writeText(id, key, "v-" + key);
    }
    return id;
  }

  /** {@code keys} sorted by their UTF-8 bytes, unsigned. */
  static List<String> utf8Order(List<String> keys) {
    List<String> sorted = new ArrayList<>(keys);
    sorted.sort(
        (a, b) ->
            Arrays.compareUnsigned(
                a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
    return sorted;
  }

  @Nested
  class Shape {
    @Test
    void hasItemsCountLimitAndTheCursorFieldsOnly() {
      String id = storeWith("b", "a", "c");
      JsonNode page = keysPage(id, "");
      assertEquals(
          List.of(
              "count",
              "exclusiveStartKey",
              "isTruncated",
              "items",
              "limit",
              "nextExclusiveStartKey"),
          fieldNames(page).stream().sorted().toList(),
          page.toString());
      assertEquals(List.of("a", "b", "c"), keyNames(page));
      assertEquals(3, page.path("count").asInt());
      assertEquals(1000, page.path("limit").asInt());
      assertTrue(page.path("exclusiveStartKey").isNull(), page.toString());
      assertTrue(page.path("isTruncated").isBoolean(), page.toString());
      assertFalse(page.path("isTruncated").asBoolean());
      assertTrue(page.path("nextExclusiveStartKey").isNull(), page.toString());
    }

    @Test
    void eachItemHasKeySizeAndASignedRecordPublicUrl() {
      String id = createStore().path("id").asText();
      write(id, "k", "text/plain", utf8("12345"));
      JsonNode item = keysPage(id, "").path("items").get(0);
      assertEquals(
          List.of("key", "recordPublicUrl", "size"), fieldNames(item).stream().sorted().toList());
      assertEquals("k", item.path("key").asText());
      assertTrue(item.path("size").isIntegralNumber());
      assertEquals(5, item.path("size").asInt());
      String url = item.path("recordPublicUrl").asText();
      assertTrue(url.startsWith(baseUrl() + record(id, "k") + "?"), url);
      assertTrue(V2Calls.queryParam(url, "signature").isPresent(), url);
    }

    @Test
    void anEmptyStoreHasNoItems() {
      JsonNode page = keysPage(createStore().path("id").asText(), "");
      assertEquals(0, page.path("items").size());
      assertEquals(0, page.path("count").asInt());
      assertFalse(page.path("isTruncated").asBoolean());
      assertTrue(page.path("nextExclusiveStartKey").isNull());
    }

    @Test
    void deletedKeysAreNotListed() {
      String id = storeWith("a", "b", "c");
      v2().delete(record(id, "b")).then().statusCode(204);
      assertEquals(List.of("a", "c"), keyNames(keysPage(id, "")));
    }

    @Test
    void aMissingStoreIs404RecordNotFound() {
      assertError(v2().get(keys(missingId())), 404, "record-not-found");
    }
  }

  @Nested
  class Order {
    @Test
    void keysComeInUtf8ByteOrder() {
      List<String> keys =
          List.of("a", "B", "_x", "~z", "a-b", "a/b", "a!", "0", "(p)", "Z", "a.b", "a=b", "@");
      String id = storeWith(keys.toArray(String[]::new));
      List<String> listed = keyNames(keysPage(id, ""));
      assertEquals(utf8Order(keys), listed);
      assertTrue(listed.indexOf("Z") < listed.indexOf("_x"), "upper case before _");
      assertTrue(listed.indexOf("_x") < listed.indexOf("a"), "_ before lower case");
    }
  }

  @Nested
  class ExclusiveStartKey {
    @Test
    void startsAfterAnExistingKey() {
      String id = storeWith("a", "c", "e");
      JsonNode page = keysPage(id, "exclusiveStartKey=c");
      assertEquals(List.of("e"), keyNames(page));
      assertEquals("c", page.path("exclusiveStartKey").asText());
    }

    @Test
    void isAPositionThatNeedNotExist() {
      String id = storeWith("a", "c", "e");
      assertEquals(List.of("c", "e"), keyNames(keysPage(id, "exclusiveStartKey=b")));
      assertEquals(List.of("a", "c", "e"), keyNames(keysPage(id, "exclusiveStartKey=0")));
      assertEquals(List.of("c", "e"), keyNames(keysPage(id, "exclusiveStartKey=a0")));
    }

    @Test
    void afterTheLastKeyThereIsNothing() {
      String id = storeWith("a", "c");
      JsonNode page = keysPage(id, "exclusiveStartKey=z");
      assertEquals(List.of(), keyNames(page));
      assertFalse(page.path("isTruncated").asBoolean());
      assertTrue(page.path("nextExclusiveStartKey").isNull());
    }
  }

  @Nested
  class Prefix {
    @Test
    void listsOnlyKeysWithThePrefix() {
      String id = storeWith("img/1", "img/2", "imgx", "doc/1", "im");
      assertEquals(List.of("img/1", "img/2"), keyNames(keysPage(id, "prefix=img/")));
      assertEquals(List.of("img/1", "img/2", "imgx"), keyNames(keysPage(id, "prefix=img")));
    }

    @Test
    void combinesWithExclusiveStartKeyAndLimit() {
      String id = storeWith("p-1", "p-2", "p-3", "p-4", "q-1");
      JsonNode page = keysPage(id, "prefix=p-&exclusiveStartKey=p-1&limit=2");
      assertEquals(List.of("p-2", "p-3"), keyNames(page));
      assertTrue(page.path("isTruncated").asBoolean());
      assertEquals("p-3", page.path("nextExclusiveStartKey").asText());
      JsonNode last = keysPage(id, "prefix=p-&exclusiveStartKey=p-3&limit=2");
      assertEquals(List.of("p-4"), keyNames(last));
      assertFalse(last.path("isTruncated").asBoolean(), "q-1 is not part of the prefix");
    }

    @Test
    void aPrefixNothingHasGivesAnEmptyPage() {
      String id = storeWith("a", "b");
      JsonNode page = keysPage(id, "prefix=zzz");
      assertEquals(0, page.path("count").asInt());
      assertFalse(page.path("isTruncated").asBoolean());
    }
  }

  @Nested
  class Limit {
    @Test
    void aSmallLimitTruncatesAndNamesTheNextStart() {
      String id = storeWith("a", "b", "c", "d", "e");
      JsonNode page = keysPage(id, "limit=2");
      assertEquals(List.of("a", "b"), keyNames(page));
      assertEquals(2, page.path("count").asInt());
      assertEquals(2, page.path("limit").asInt());
      assertTrue(page.path("isTruncated").asBoolean());
      assertEquals("b", page.path("nextExclusiveStartKey").asText());
    }

    @Test
    void aLimitThatTakesTheRestExactlyIsNotTruncated() {
      String id = storeWith("a", "b", "c");
      JsonNode page = keysPage(id, "limit=3");
      assertEquals(3, page.path("count").asInt());
      assertFalse(page.path("isTruncated").asBoolean(), page.toString());
      assertTrue(page.path("nextExclusiveStartKey").isNull(), page.toString());
    }

    @Test
    void aLimitOverTheMaximumIsClampedTo1000() {
      String id = storeWith("a");
      assertEquals(1000, keysPage(id, "limit=100000").path("limit").asInt());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "abc", "1.5"})
    void aBadLimitIs400InvalidParameter(String limit) {
      String id = storeWith("a");
      assertError(v2().get(keys(id) + "?limit=" + limit), 400, "invalid-parameter");
    }
  }

  @Nested
  class Pagination {
    @Test
    void twelveHundredKeysPageWithoutLossOrDuplicates() {
      String id = createStore().path("id").asText();
      List<String> all = new ArrayList<>();
      for (int i = 0; i < 1200; i++) {
        String key = String.format("k%04d", i);
        all.add(key);
        write(id, key, "text/plain", utf8(Integer.toString(i)));
      }

      JsonNode first = keysPage(id, "");
      assertEquals(1000, first.path("count").asInt());
      assertTrue(first.path("isTruncated").asBoolean());
      assertEquals("k0999", first.path("nextExclusiveStartKey").asText());
      JsonNode second = keysPage(id, "exclusiveStartKey=k0999");
      assertEquals(200, second.path("count").asInt());
      assertFalse(second.path("isTruncated").asBoolean());
      List<String> defaultPages = new ArrayList<>(keyNames(first));
      defaultPages.addAll(keyNames(second));
      assertEquals(all, defaultPages);

      List<String> seen = new ArrayList<>();
      Set<String> unique = new HashSet<>();
      String start = null;
      int pages = 0;
      while (true) {
        JsonNode page =
            keysPage(id, "limit=7" + (start == null ? "" : "&exclusiveStartKey=" + start));
        pages++;
        for (String key : keyNames(page)) {
          seen.add(key);
          assertTrue(unique.add(key), "twice: " + key);
        }
        if (!page.path("isTruncated").asBoolean()) {
          break;
        }
        start = page.path("nextExclusiveStartKey").asText();
        assertTrue(pages < 500, "pagination does not end");
      }
      assertEquals(all, seen);
      assertEquals(172, pages);
    }
  }
}
