package io.kvgate.apify;

import static io.kvgate.apify.V2Calls.allBytes;
import static io.kvgate.apify.V2Calls.assertError;
import static io.kvgate.apify.V2Calls.createStore;
import static io.kvgate.apify.V2Calls.gzip;
import static io.kvgate.apify.V2Calls.missingId;
import static io.kvgate.apify.V2Calls.newName;
import static io.kvgate.apify.V2Calls.record;
import static io.kvgate.apify.V2Calls.records;
import static io.kvgate.apify.V2Calls.resource;
import static io.kvgate.apify.V2Calls.utf8;
import static io.kvgate.apify.V2Calls.v2;
import static io.kvgate.apify.V2Calls.write;
import static io.kvgate.apify.V2Calls.writeEncoded;
import static io.kvgate.apify.V2Calls.writeText;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvgate.support.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

/** Endpoint 7 of {@code /v2/key-value-stores}: every record of a store as one ZIP. */
@QuarkusTest
@WithTestResource(RedisResource.class)
class ZipTest {

  /**
   * The files of a ZIP in stream order, read with ZipInputStream (as a streaming client would); the
   * central directory, read with ZipFile, must name the same files.
   */
  static Map<String, byte[]> unzip(byte[] zip) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    try (ZipInputStream in = new ZipInputStream(V2Calls.stream(zip))) {
      ZipEntry e;
      while ((e = in.getNextEntry()) != null) {
        assertNull(files.put(e.getName(), in.readAllBytes()), "twice in the zip: " + e.getName());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> central = new ArrayList<>();
    try {
      Path file = Files.createTempFile("kvgate-v2", ".zip");
      try {
        Files.write(file, zip);
        try (ZipFile z = new ZipFile(file.toFile())) {
          Collections.list(z.entries()).forEach(e -> central.add(e.getName()));
        }
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new AssertionError("not a valid zip (central directory)", e);
    }
    assertEquals(List.copyOf(files.keySet()), central, "central directory");
    return files;
  }

  static byte[] download(String storeId, String query) {
    Response r = v2().get(records(storeId) + query);
    assertEquals(200, r.statusCode(), r.asString());
    assertEquals("application/zip", r.header("Content-Type"));
    return r.asByteArray();
  }

  @Test
  void oneFilePerRecordNamedByKeyWithDecodedContent() {
    String id = createStore().path("id").asText();
    write(id, "doc", "application/json", utf8("{\"a\":1}"));
    writeText(id, "dir/note", "Grüße");
    write(id, "bin", "application/octet-stream", allBytes());
    write(id, "empty", "text/plain", new byte[0]);
    byte[] plain = utf8("zipped ".repeat(300));
    writeEncoded(id, "gz", "text/plain", "gzip", gzip(plain));
    writeEncoded(id, "brjson", "application/json", "br", resource("apify/record.json.br"));

    Map<String, byte[]> files = unzip(download(id, ""));
    assertEquals(
        List.of("bin", "brjson", "dir/note", "doc", "empty", "gz"),
        files.keySet().stream().sorted().toList());
    assertArrayEquals(utf8("{\"a\":1}"), files.get("doc"));
    assertArrayEquals(utf8("Grüße"), files.get("dir/note"));
    assertArrayEquals(allBytes(), files.get("bin"));
    assertEquals(0, files.get("empty").length);
    assertArrayEquals(plain, files.get("gz"), "gzip record decoded");
    assertArrayEquals(resource("apify/record.json"), files.get("brjson"), "br record decoded");
  }

  @Test
  void hasContentDispositionWithTheStoreId() {
    String id = createStore().path("id").asText();
    writeText(id, "a", "1");
    Response r = v2().get(records(id));
    assertEquals(200, r.statusCode());
    assertEquals("attachment; filename=\"" + id + ".zip\"", r.header("Content-Disposition"));
  }

  @Test
  void deletedRecordsAreLeftOut() {
    String id = createStore().path("id").asText();
    writeText(id, "a", "1");
    writeText(id, "b", "2");
    v2().delete(record(id, "a")).then().statusCode(204);
    assertEquals(List.of("b"), List.copyOf(unzip(download(id, "")).keySet()));
  }

  @Test
  void prefixFiltersTheFiles() {
    String id = createStore().path("id").asText();
    writeText(id, "img/1", "one");
    writeText(id, "img/2", "two");
    writeText(id, "imgx", "x");
    writeText(id, "doc", "d");
    Map<String, byte[]> files = unzip(download(id, "?prefix=img/"));
    assertEquals(List.of("img/1", "img/2"), files.keySet().stream().sorted().toList());
    assertArrayEquals(utf8("two"), files.get("img/2"));
  }

  @Test
  void anEmptyStoreGivesAValidEmptyZip() {
    String id = createStore().path("id").asText();
    byte[] zip = download(id, "");
    assertTrue(zip.length >= 22, "shorter than an end-of-central-directory record");
    assertEquals(0, unzip(zip).size());
  }

  @Test
  void aPrefixNothingHasGivesAValidEmptyZip() {
    String id = createStore().path("id").asText();
    writeText(id, "a", "1");
    assertEquals(0, unzip(download(id, "?prefix=zzz")).size());
  }

  @Test
  void threeHundredRecordsAreAllThere() {
    String id = createStore().path("id").asText();
    for (int i = 0; i < 300; i++) {
      write(id, String.format("r%03d", i), "text/plain", utf8("value " + i));
    }
    Map<String, byte[]> files = unzip(download(id, ""));
    assertEquals(300, files.size());
    for (int i = 0; i < 300; i++) {
      assertArrayEquals(utf8("value " + i), files.get(String.format("r%03d", i)), "r" + i);
    }
  }

  @Test
  void aStoreAddressedByNameDownloadsToo() {
    String name = newName();
    String id = createStore(name).path("id").asText();
    writeText(id, "a", "1");
    assertEquals(List.of("a"), List.copyOf(unzip(download("~" + name, "")).keySet()));
  }

  @Test
  void aMissingStoreIs404RecordNotFound() {
    assertError(v2().get(records(missingId())), 404, "record-not-found");
  }
}
