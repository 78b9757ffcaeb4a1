package io.kvgate.http;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvgate.support.QuivaOpenApi;
import io.kvgate.support.RedisResource;
import io.kvgate.support.TestAuth;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * {@link DirectRoutes} against the REST layer: every case is sent once as the direct route takes it
 * and once with a query value nobody reads ({@code ?via=rest}), which sends it through the REST
 * layer, each time on the same freshly prepared state, and the two answers must be the same:
 * status, body and headers. The {@code kvgate_direct_requests} counter tells which way a request
 * went. Rate limits are on (a tight one per bucket), so the X-RateLimit headers and a 429 are
 * compared too.
 */
@QuarkusTest
@WithTestResource(RedisResource.class)
@TestProfile(DirectRoutesTest.Limits.class)
class DirectRoutesTest {
  static final int PER_BUCKET = 200;

  /** Rate limits on: generous per principal, 200 per bucket per minute. */
  public static class Limits implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "kvgate.rate-limit.enabled", "true",
          "%test.kvgate.rate-limit.enabled", "true",
          "kvgate.rate-limit.per-principal", "1000000",
          "kvgate.rate-limit.per-bucket", Integer.toString(PER_BUCKET),
          "kvgate.rate-limit.window", "60s",
          "kvgate.rate-limit.sync-interval", "50ms");
    }
  }

  /** Headers whose values must be equal both ways (names compared without case). */
  private static final List<String> SAME_VALUE =
      List.of(
          "content-type",
          "etag",
          "vary",
          "content-encoding",
          "content-disposition",
          "retry-after",
          "www-authenticate",
          "x-ratelimit-limit",
          "location");

  /** Headers that must be present either both ways or neither (their values move with time). */
  private static final List<String> SAME_PRESENCE =
      List.of("last-modified", "x-ratelimit-remaining");

  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  static String base() {
    int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
    return "http://localhost:" + port;
  }

  /** One answer: status, headers (lower-case names) and body. */
  record Answer(int status, Map<String, List<String>> headers, byte[] body) {
    Optional<String> header(String name) {
      List<String> v = headers.get(name);
      return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** A request to send: method, path (with its query), headers (name, value...) and body. */
  record Call(String method, String path, byte[] body, String... headers) {
    static Call get(String path, String... headers) {
      return new Call("GET", path, null, headers);
    }

    static Call put(String path, String body, String... headers) {
      return new Call("PUT", path, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    /** The same call with a query value that neither way reads: the REST layer takes it. */
    Call viaRest() {
      return new Call(method, path + (path.contains("?") ? "&" : "?") + "via=rest", body, headers);
    }
  }

  static Answer send(Call call) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base() + call.path())).timeout(Duration.ofSeconds(15));
    boolean credential = false;
    for (int i = 0; i + 1 < call.headers().length; i += 2) {
      b.header(call.headers()[i], call.headers()[i + 1]);
      credential |=
          call.headers()[i].equalsIgnoreCase("X-Api-Key")
              || call.headers()[i].equalsIgnoreCase("Authorization");
    }
    if (!credential) {
      b.header("X-Api-Key", TestAuth.BOOTSTRAP_KEY);
    }
    b.method(
        call.method(),
        call.body() == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(call.body()));
    return exchange(b.build());
  }

  static Answer exchange(HttpRequest request) {
    try {
      HttpResponse<byte[]> r = CLIENT.send(request, HttpResponse.BodyHandlers.ofByteArray());
      Map<String, List<String>> headers = new java.util.TreeMap<>();
      r.headers().map().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
      return new Answer(r.statusCode(), headers, r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static final Pattern DIRECT =
      Pattern.compile("(?m)^kvgate_direct_requests_total(?:\\{[^}]*\\})? ([0-9.eE+]+)$");

  /** How many requests the direct route has served so far. */
  static long served() {
    String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
    Matcher m = DIRECT.matcher(text);
    assertTrue(m.find(), "no kvgate_direct_requests_total in /q/metrics");
    return (long) Double.parseDouble(m.group(1));
  }

  /** Sends a call and asserts which way it went. */
  static Answer sendExpecting(Call call, boolean direct) {
    long before = served();
    Answer a = send(call);
    assertEquals(
        before + (direct ? 1 : 0),
        served(),
        call.method()
            + " "
            + call.path()
            + (direct ? " was not served directly" : " was served directly"));
    return a;
  }

  /**
   * Prepares the state, sends the call directly, prepares the same state again, sends it through
   * the REST layer, and asserts the two answers are the same; returns the direct one.
   */
  static Answer same(Runnable prepare, Call call) {
    prepare.run();
    Answer direct = sendExpecting(call, true);
    prepare.run();
    Answer rest = sendExpecting(call.viaRest(), false);
    assertSame(call, direct, rest);
    return direct;
  }

  static void assertSame(Call call, Answer direct, Answer rest) {
    String what = call.method() + " " + call.path() + ": ";
    assertEquals(rest.status(), direct.status(), what + "status");
    assertEquals(rest.text(), direct.text(), what + "body");
    assertTrue(Arrays.equals(rest.body(), direct.body()), what + "body bytes");
    for (String h : SAME_VALUE) {
      assertEquals(rest.header(h), direct.header(h), what + h);
    }
    for (String h : SAME_PRESENCE) {
      assertEquals(rest.header(h).isPresent(), direct.header(h).isPresent(), what + h);
    }
  }

  // ---- state ----

  static String name() {
    return "d-" + UUID.randomUUID().toString().replace("-", "").substring(0, 14);
  }

  /** Drops the bucket if it is there and makes it again, empty, with the given settings. */
  static void fresh(String bucket, String settings) {
    given().delete("/storage/kv/" + bucket);
    given()
        .contentType(ContentType.JSON)
        .body("{\"bucket\":\"" + bucket + "\"" + (settings.isEmpty() ? "" : "," + settings) + "}")
        .post("/storage/kv")
        .then()
        .statusCode(200);
  }

  static void putJson(String bucket, String key, String json) {
    given()
        .contentType(ContentType.JSON)
        .body(json)
        .put("/storage/kv/" + bucket + "/entries/" + key)
        .then()
        .statusCode(200);
  }

  static String storeId(String bucket) {
    return given()
        .get("/v2/key-value-stores/~" + bucket)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getString("data.id");
  }

  static void putRecord(String bucket, String key, String type, String coding, byte[] bytes) {
    var r = given().contentType(type).body(bytes);
    if (coding != null) {
      r.header("Content-Encoding", coding);
    }
    r.put("/v2/key-value-stores/~" + bucket + "/records/" + key).then().statusCode(201);
  }

  /** An API key of the bootstrap tenant with these permissions (and bucket globs, or none). */
  static String key(List<String> permissions, List<String> globs) {
    StringBuilder body = new StringBuilder("{\"name\":\"direct\",\"permissions\":[");
    body.append(String.join(",", permissions.stream().map(p -> "\"" + p + "\"").toList()));
    body.append("]");
    if (globs != null) {
      body.append(",\"buckets\":[");
      body.append(String.join(",", globs.stream().map(g -> "\"" + g + "\"").toList()));
      body.append("]");
    }
    body.append("}");
    String secret =
        given()
            .contentType(ContentType.JSON)
            .body(body.toString())
            .post("/auth/api-keys")
            .then()
            .statusCode(201)
            .extract()
            .jsonPath()
            .getString("key");
    // Verified once through the REST layer: from then on this replica knows it.
    given().header("X-Api-Key", secret).get("/storage/kv");
    return secret;
  }

  static byte[] gzip(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  @Nested
  class K8Get {
    final String b = name();
    final String path = "/storage/kv/" + b + "/entries/";

    void withEntry() {
      fresh(b, "\"history\":3");
      putJson(b, "a", "{\"x\":1,\"s\":\"é\"}");
      putJson(b, "a", "{\"x\":2}");
      putJson(b, "dir/sub/k", "{\"deep\":true}");
    }

    @Test
    void aHitIsTheSameBothWays() {
      Answer a = same(this::withEntry, Call.get(path + "a"));
      assertEquals(200, a.status());
      QuivaOpenApi.assertMatches("KVEntryResponse", a.text());
      assertEquals("\"2\"", a.header("etag").orElseThrow());
    }

    @Test
    void aKeyWithSlashesIsTheSameBothWays() {
      assertEquals(200, same(this::withEntry, Call.get(path + "dir/sub/k")).status());
    }

    @Test
    void aMissingKeyIsTheSameBothWays() {
      assertEquals(404, same(this::withEntry, Call.get(path + "nope")).status());
    }

    @Test
    void aMissingBucketIsTheSameBothWays() {
      Call call = Call.get("/storage/kv/" + name() + "/entries/a");
      assertEquals(404, same(() -> {}, call).status());
    }

    @Test
    void aBadKeyIsTheSameBothWays() {
      assertEquals(400, same(this::withEntry, Call.get(path + "a$b")).status());
    }

    @Test
    void aBadBucketNameIsTheSameBothWays() {
      assertEquals(400, same(() -> {}, Call.get("/storage/kv/-bad/entries/a")).status());
    }

    @Test
    void conditionalReadsAreTheSameBothWays() {
      assertEquals(
          304, same(this::withEntry, Call.get(path + "a", "If-None-Match", "\"2\"")).status());
      assertEquals(
          304,
          same(this::withEntry, Call.get(path + "a", "If-None-Match", "\"7\", \"2\"")).status());
      assertEquals(304, same(this::withEntry, Call.get(path + "a", "If-None-Match", "*")).status());
      assertEquals(
          200, same(this::withEntry, Call.get(path + "a", "If-None-Match", "\"1\"")).status());
      assertEquals(
          400, same(this::withEntry, Call.get(path + "a", "If-None-Match", "nope")).status());
    }

    @Test
    void revisionReadsAreTheSameBothWays() {
      assertEquals(200, same(this::withEntry, Call.get(path + "a?revision=1")).status());
      assertEquals(404, same(this::withEntry, Call.get(path + "a?revision=99")).status());
      assertEquals(400, same(this::withEntry, Call.get(path + "a?revision=x")).status());
    }

    @Test
    void valuesWrittenThroughV2AreTheSameBothWays() {
      Runnable records =
          () -> {
            fresh(b, "");
            putRecord(b, "t", "text/plain", null, "plain text".getBytes(StandardCharsets.UTF_8));
            putRecord(b, "g", "application/json", "gzip", gzip("{\"z\":1}"));
            putRecord(b, "bin", "application/octet-stream", null, new byte[] {0, (byte) 0xff, 1});
          };
      assertEquals(200, same(records, Call.get(path + "t")).status());
      assertEquals(200, same(records, Call.get(path + "g")).status());
      assertEquals(415, same(records, Call.get(path + "bin")).status());
    }

    @Test
    void aKeyWithoutPermissionOnTheBucketIsTheSameBothWays() {
      String limited = key(List.of("kv:read"), List.of("other-*"));
      assertEquals(403, same(this::withEntry, Call.get(path + "a", "X-Api-Key", limited)).status());
    }

    @Test
    void aReadOnlyKeyReadsTheSameBothWays() {
      String reader = key(List.of("kv:read"), null);
      assertEquals(
          200,
          same(this::withEntry, Call.get(path + "a", "Authorization", "Bearer " + reader))
              .status());
    }

    @Test
    void theRateLimitAnswersTheSameBothWays() {
      fresh(b, "");
      putJson(b, "a", "{}");
      Call call = Call.get(path + "a");
      Answer direct = null;
      Answer rest = null;
      for (int i = 0; i < PER_BUCKET + 5 && (direct == null || rest == null); i++) {
        Answer d = send(call);
        if (d.status() == 429 && direct == null) {
          direct = d;
        }
        Answer r = send(call.viaRest());
        if (r.status() == 429 && rest == null) {
          rest = r;
        }
      }
      assertNotNull(direct, "the direct route never answered 429");
      assertNotNull(rest, "the REST layer never answered 429");
      assertSame(call, direct, rest);
      assertEquals("0", direct.header("x-ratelimit-remaining").orElseThrow());
      assertTrue(direct.text().contains("\"retry_after\":"), direct.text());
    }
  }

  @Nested
  class K9Put {
    final String b = name();
    final String path = "/storage/kv/" + b + "/entries/";

    void withEntry() {
      fresh(b, "\"max_value_size\":64");
      putJson(b, "a", "{\"x\":1}");
    }

    @Test
    void writesAreTheSameBothWays() {
      Answer a =
          same(
              this::withEntry,
              Call.put(path + "new", "{\"v\":1}", "Content-Type", "application/json"));
      assertEquals(200, a.status());
      assertEquals("\"2\"", a.header("etag").orElseThrow());
      assertEquals(
          200,
          same(
                  this::withEntry,
                  Call.put(path + "a", "{\"v\":2}", "Content-Type", "application/json"))
              .status());
      assertEquals(
          200,
          same(
                  this::withEntry,
                  Call.put(path + "t?ttl=60", "{\"v\":3}", "Content-Type", "application/json"))
              .status());
      assertEquals(
          200,
          same(this::withEntry, Call.put(path + "plain", "{\"v\":4}")).status(),
          "no Content-Type is taken as JSON");
    }

    @Test
    void theWrittenValueReadsBackTheSameWayItWasSent() {
      withEntry();
      sendExpecting(
          Call.put(path + "k", "{\"n\":[1,2,{\"é\":null}]}", "Content-Type", "application/json"),
          true);
      Answer read = sendExpecting(Call.get(path + "k"), true);
      assertTrue(read.text().contains("\"value\":{\"n\":[1,2,{\"é\":null}]}"), read.text());
    }

    @Test
    void conditionalWritesAreTheSameBothWays() {
      String json = "{\"v\":9}";
      assertEquals(
          200,
          same(
                  this::withEntry,
                  Call.put(
                      path + "a", json, "Content-Type", "application/json", "If-Match", "\"1\""))
              .status());
      assertEquals(
          412,
          same(
                  this::withEntry,
                  Call.put(
                      path + "a", json, "Content-Type", "application/json", "If-Match", "\"5\""))
              .status());
      assertEquals(
          412,
          same(
                  this::withEntry,
                  Call.put(
                      path + "a", json, "Content-Type", "application/json", "If-None-Match", "*"))
              .status());
      assertEquals(
          400,
          same(
                  this::withEntry,
                  Call.put(path + "a", json, "Content-Type", "application/json", "If-Match", "x"))
              .status());
    }

    @Test
    void badWritesAreTheSameBothWays() {
      String json = "application/json";
      assertEquals(
          415,
          same(this::withEntry, Call.put(path + "a", "{}", "Content-Type", "text/plain")).status());
      assertEquals(
          400, same(this::withEntry, Call.put(path + "a", "[1]", "Content-Type", json)).status());
      assertEquals(
          400,
          same(this::withEntry, Call.put(path + "a", "{\"a\":", "Content-Type", json)).status());
      assertEquals(
          400, same(this::withEntry, Call.put(path + "a", "", "Content-Type", json)).status());
      assertEquals(
          400,
          same(this::withEntry, Call.put(path + "a", "{\"a\":1,\"a\":2}", "Content-Type", json))
              .status());
      assertEquals(
          400,
          same(this::withEntry, Call.put(path + "a?ttl=-1", "{}", "Content-Type", json)).status());
      assertEquals(
          400,
          same(
                  this::withEntry,
                  Call.put(
                      path + "a", "{\"big\":\"" + "x".repeat(100) + "\"}", "Content-Type", json))
              .status(),
          "over the bucket's max_value_size");
      assertEquals(
          400, same(this::withEntry, Call.put(path + "a$", "{}", "Content-Type", json)).status());
      assertEquals(
          404,
          same(
                  () -> {},
                  Call.put("/storage/kv/" + name() + "/entries/a", "{}", "Content-Type", json))
              .status());
    }

    @Test
    void aReadOnlyKeyIsRefusedTheSameBothWays() {
      String reader = key(List.of("kv:read"), null);
      assertEquals(
          403,
          same(
                  this::withEntry,
                  Call.put(
                      path + "a", "{}", "Content-Type", "application/json", "X-Api-Key", reader))
              .status());
    }
  }

  @Nested
  class V2RecordGet {
    final String b = name();
    String id;

    void withRecords() {
      fresh(b, "");
      putRecord(b, "json", "application/json", null, "{\"r\":1}".getBytes(StandardCharsets.UTF_8));
      putRecord(
          b, "text", "text/plain; charset=utf-8", null, "héllo".getBytes(StandardCharsets.UTF_8));
      putRecord(b, "gz", "text/plain", "gzip", gzip("zipped"));
      putRecord(b, "a/b", "application/octet-stream", null, new byte[] {1, 2, 3});
      id = storeId(b);
    }

    String record(String key) {
      return "/v2/key-value-stores/" + id + "/records/" + key;
    }

    /** Calls build their path after the state is made (the store's id changes with it). */
    Answer same(String key, String... headers) {
      withRecords();
      Answer direct = sendExpecting(Call.get(record(key), headers), true);
      withRecords();
      Call call = Call.get(record(key), headers);
      Answer rest = sendExpecting(call.viaRest(), false);
      assertSame(call, direct, rest);
      return direct;
    }

    @Test
    void recordsAreTheSameBothWays() {
      assertEquals(200, same("json").status());
      assertEquals(200, same("text").status());
      assertEquals(200, same("a/b").status());
      Answer decoded = same("gz");
      assertEquals("zipped", decoded.text());
      assertFalse(decoded.header("content-encoding").isPresent());
      Answer encoded = same("gz", "Accept-Encoding", "gzip, br");
      assertEquals("gzip", encoded.header("content-encoding").orElseThrow());
    }

    @Test
    void missingRecordsAndStoresAreTheSameBothWays() {
      assertEquals(404, same("nope").status());
      withRecords();
      Call missingStore = Call.get("/v2/key-value-stores/AAAAAAAAAAAAAAAAA/records/json");
      Answer direct = sendExpecting(missingStore, true);
      Answer rest = sendExpecting(missingStore.viaRest(), false);
      assertSame(missingStore, direct, rest);
      assertEquals(404, direct.status());
    }

    @Test
    void aStoreByNameIsServedDirectly() {
      withRecords();
      Call byName = Call.get("/v2/key-value-stores/~" + b + "/records/json");
      Answer direct = sendExpecting(byName, true);
      Answer rest = sendExpecting(byName.viaRest(), false);
      assertSame(byName, direct, rest);
      assertEquals("{\"r\":1}", direct.text());
    }
  }

  /** What the direct route leaves to the REST layer. */
  @Nested
  class LeftToTheRestLayer {
    final String b = name();

    @Test
    void requestsItDoesNotReadGoOnUntouched() {
      fresh(b, "");
      putJson(b, "a", "{}");
      putRecord(b, "r", "text/plain", null, "x".getBytes(StandardCharsets.UTF_8));
      String entry = "/storage/kv/" + b + "/entries/a";
      String record = "/v2/key-value-stores/~" + b + "/records/r";
      List<Call> rest = new ArrayList<>();
      rest.add(Call.get(entry, "Accept", "text/plain"));
      rest.add(Call.get(entry, "Accept", "application/json;q=0, text/plain"));
      rest.add(Call.get("/storage/kv/" + b + "/entries/a/history"));
      rest.add(Call.get("/storage/kv/" + b + "/entries/%61"));
      rest.add(Call.get(record + "?attachment=1"));
      rest.add(Call.get(record + "?signature=x"));
      rest.add(Call.get(entry, "X-Api-Key", "kvg_NotAKeyAnybodyHas0123456789abcdefghij"));
      rest.add(Call.get(entry, "Authorization", "Bearer a.b.c"));
      rest.add(Call.get(entry + "?revision=1&revision=2"));
      for (Call call : rest) {
        Answer a = sendExpecting(call, false);
        assertTrue(a.status() < 500, call.path() + " answered " + a.status());
      }
      HttpRequest chunked =
          HttpRequest.newBuilder(URI.create(base() + entry))
              .header("X-Api-Key", TestAuth.BOOTSTRAP_KEY)
              .header("Content-Type", "application/json")
              .PUT(
                  HttpRequest.BodyPublishers.ofInputStream(
                      () ->
                          new java.io.ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8))))
              .build();
      long before = served();
      assertEquals(200, exchange(chunked).status());
      assertEquals(before, served(), "a body without a length is left to the REST layer");
    }

    @Test
    void theHttpMetricsNameTheSameTemplateBothWays() {
      fresh(b, "");
      putJson(b, "m", "{}");
      sendExpecting(Call.get("/storage/kv/" + b + "/entries/m"), true);
      sendExpecting(Call.get("/storage/kv/" + b + "/entries/m?via=rest"), false);
      String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
      assertTrue(
          text.contains("uri=\"/storage/kv/{bucket}/entries/{key}\""),
          "no http_server_requests of the K8 template");
      assertFalse(text.contains(b), "a request's own path is a metric label");
    }
  }
}
