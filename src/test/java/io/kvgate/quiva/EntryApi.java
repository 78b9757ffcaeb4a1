package io.kvgate.quiva;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.kvgate.support.TestAuth;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Shared steps of the entry tests: a fresh bucket per test, plain writes and reads, and a raw HTTP
 * client for what RestAssured would rewrite (odd paths, absent Content-Type) or for many threads.
 */
final class EntryApi {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private EntryApi() {}

  /** A bucket with a random name and the given settings, e.g. {@code "history":3}. */
  static String newBucket(String settings) {
    String name = "e-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    String extra = settings == null || settings.isEmpty() ? "" : "," + settings;
    given()
        .contentType(ContentType.JSON)
        .body("{\"bucket\":\"" + name + "\"" + extra + "}")
        .post("/storage/kv")
        .then()
        .statusCode(200);
    return name;
  }

  static String newBucket() {
    return newBucket("");
  }

  /** Writes {@code json} under {@code key} and returns the new revision from the ETag. */
  static long put(String bucket, String key, String json) {
    String etag =
        given()
            .contentType(ContentType.JSON)
            .body(json)
            .put("/storage/kv/" + bucket + "/entries/" + key)
            .then()
            .statusCode(200)
            .extract()
            .header("ETag");
    return revision(etag);
  }

  static void delete(String bucket, String key) {
    given().delete("/storage/kv/" + bucket + "/entries/" + key).then().statusCode(200);
  }

  /** The revision in an entity tag such as {@code "12"}; fails when it has another form. */
  static long revision(String etag) {
    if (etag == null || !etag.matches("\"[1-9][0-9]*\"")) {
      fail("ETag is not a quoted revision: " + etag);
    }
    return Long.parseLong(etag.substring(1, etag.length() - 1));
  }

  static String etag(long revision) {
    return "\"" + revision + "\"";
  }

  /** K3 of the bucket, as a JsonPath over its {@code body}. */
  static JsonPath bucketDetail(String bucket) {
    return given()
        .get("/storage/kv/" + bucket)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .setRootPath("body");
  }

  /** The bucket's internal id (K3 stream_info.config.metadata.bucket_id). */
  static String bucketId(String bucket) {
    return bucketDetail(bucket).getString("stream_info.config.metadata.bucket_id");
  }

  /** The bucket's revision counter (K3 status.revision). */
  static long bucketRevision(String bucket) {
    return bucketDetail(bucket).getLong("status.revision");
  }

  /**
   * The Redis key of one of the bucket's structures: {@code m} meta hash, {@code d} data hash,
   * {@code k} key index, {@code x} expiry index, {@code h} history (see prelude.lua).
   */
  static String redisKey(String bucket, String structure) {
    String prefix =
        ConfigProvider.getConfig()
            .getOptionalValue("kvgate.storage.key-prefix", String.class)
            .orElse("kvg");
    return prefix + ":{" + bucketId(bucket) + "}:" + structure;
  }

  static URI uri(String pathAndQuery) {
    String base = RestAssured.baseURI + ":" + RestAssured.port;
    return URI.create(base + pathAndQuery);
  }

  /** Sends a request as built, without any rewriting of its path or headers. */
  static HttpResponse<String> send(HttpRequest request) {
    try {
      return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static HttpRequest.Builder request(String pathAndQuery) {
    return HttpRequest.newBuilder(uri(pathAndQuery))
        .timeout(Duration.ofSeconds(30))
        .header("X-Api-Key", TestAuth.BOOTSTRAP_KEY);
  }

  static HttpResponse<String> rawPut(String pathAndQuery, String json, String... headers) {
    HttpRequest.Builder b = request(pathAndQuery).PUT(HttpRequest.BodyPublishers.ofString(json));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b.build());
  }

  static HttpResponse<String> rawGet(String pathAndQuery, String... headers) {
    HttpRequest.Builder b = request(pathAndQuery).GET();
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b.build());
  }

  static HttpResponse<String> rawDelete(String pathAndQuery, String... headers) {
    HttpRequest.Builder b = request(pathAndQuery).DELETE();
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b.build());
  }

  /** Polls {@code condition} every 50 ms until it holds; fails after {@code max}. */
  static Duration awaitTrue(Duration max, String what, BooleanSupplier condition) {
    long start = System.nanoTime();
    long deadline = start + max.toNanos();
    while (true) {
      if (condition.getAsBoolean()) {
        return Duration.ofNanos(System.nanoTime() - start);
      }
      if (System.nanoTime() > deadline) {
        fail(what + ": not within " + max);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  static void assertStatus(int expected, HttpResponse<String> response) {
    assertEquals(expected, response.statusCode(), () -> "answer: " + response.body());
  }
}
