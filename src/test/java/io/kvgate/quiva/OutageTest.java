package io.kvgate.quiva;

import static io.kvgate.quiva.EntryApi.awaitTrue;
import static io.kvgate.quiva.EntryApi.newBucket;
import static io.kvgate.quiva.EntryApi.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvgate.support.QuivaOpenApi;
import io.kvgate.support.RedisResource;
import io.kvgate.support.RedisServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Redis going away under the running service: answers within the timeout as 503 {@code
 * unavailable}, readiness down, and recovery without a restart. Redis is always brought back after
 * each test, since the other test classes share it.
 */
@QuarkusTest
@WithTestResource(RedisResource.class)
class OutageTest {
  /** The configured storage timeout (2 s) plus room for the HTTP round trip. */
  private static final long ANSWER_WITHIN_MS = 2_500;

  private static final String JSON = "application/json";

  private final RedisServer redis = RedisResource.server();

  /** A request's answer and how long it took. */
  record Timed(HttpResponse<String> response, long millis) {}

  static Timed timed(HttpRequest.Builder request) {
    long start = System.nanoTime();
    HttpResponse<String> r = EntryApi.send(request.timeout(Duration.ofSeconds(15)).build());
    return new Timed(r, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
  }

  static Timed timedGet(String path) {
    return timed(EntryApi.request(path).GET());
  }

  static Timed timedPut(String path, String json) {
    return timed(
        EntryApi.request(path)
            .header("Content-Type", JSON)
            .PUT(HttpRequest.BodyPublishers.ofString(json)));
  }

  static void assertUnavailableInTime(String what, Timed t) {
    System.out.printf(
        "[measure] outage: %s answered %d in %d ms%n", what, t.response().statusCode(), t.millis());
    assertEquals(503, t.response().statusCode(), what + ": " + t.response().body());
    QuivaOpenApi.assertMatches("ErrorResponse", t.response().body());
    assertEquals("unavailable", JsonPath.from(t.response().body()).getString("error"));
    assertTrue(t.millis() < ANSWER_WITHIN_MS, what + " took " + t.millis() + " ms");
  }

  static boolean ready() {
    return EntryApi.send(
                EntryApi.request("/q/health/ready").timeout(Duration.ofSeconds(15)).GET().build())
            .statusCode()
        == 200;
  }

  @AfterEach
  void bringRedisBack() {
    redis.start();
    awaitTrue(
        Duration.ofSeconds(20), "Redis answers PING", () -> "+PONG".equals(redis.command("PING")));
    awaitTrue(Duration.ofSeconds(20), "the service is ready again", OutageTest::ready);
  }

  @Nested
  class RedisStopped {
    private String bucket;

    @BeforeEach
    void stopRedis() {
      bucket = newBucket();
      put(bucket, "k", "{\"v\":1}");
      redis.stop();
    }

    @Test
    void getAnswers503UnavailableInTime() {
      assertUnavailableInTime("K8 GET", timedGet("/storage/kv/" + bucket + "/entries/k"));
    }

    @Test
    void putAnswers503UnavailableInTime() {
      assertUnavailableInTime(
          "K9 PUT", timedPut("/storage/kv/" + bucket + "/entries/k", "{\"v\":2}"));
    }

    @Test
    void deleteAnswers503UnavailableInTime() {
      assertUnavailableInTime(
          "K10 DELETE", timed(EntryApi.request("/storage/kv/" + bucket + "/entries/k").DELETE()));
    }

    @Test
    void listAnswers503UnavailableInTime() {
      assertUnavailableInTime("K7 list", timedGet("/storage/kv/" + bucket + "/entries"));
    }

    @Test
    void keySearchAnswers503UnavailableInTime() {
      assertUnavailableInTime(
          "K12 search", timedGet("/storage/kv/" + bucket + "/search-by-key?search=*"));
    }

    @Test
    void historyAnswers503UnavailableInTime() {
      assertUnavailableInTime("history", timedGet("/storage/kv/" + bucket + "/entries/k/history"));
    }

    @Test
    void readinessIsDownInTime() {
      Timed t = timedGet("/q/health/ready");
      System.out.printf(
          "[measure] outage: readiness answered %d in %d ms%n",
          t.response().statusCode(), t.millis());
      assertEquals(503, t.response().statusCode(), t.response().body());
      assertEquals("DOWN", JsonPath.from(t.response().body()).getString("status"));
      assertTrue(t.millis() < ANSWER_WITHIN_MS, "readiness took " + t.millis() + " ms");
    }

    @Test
    void livenessStaysUp() {
      assertEquals(200, timedGet("/q/health/live").response().statusCode());
    }
  }

  @Nested
  class RedisBack {

    @BeforeEach
    void outage() {
      redis.stop();
      assertEquals(503, timedGet("/storage/kv").response().statusCode());
    }

    @Test
    void writesAndReadsSucceedAgainWithinFiveSeconds() {
      redis.start();
      long start = System.nanoTime();
      String bucket = "back-" + UUID.randomUUID().toString().substring(0, 8);
      Duration took =
          awaitTrue(
              Duration.ofSeconds(5),
              "a bucket can be created again",
              () ->
                  timed(
                              EntryApi.request("/storage/kv")
                                  .header("Content-Type", JSON)
                                  .POST(
                                      HttpRequest.BodyPublishers.ofString(
                                          "{\"bucket\":\"" + bucket + "\"}")))
                          .response()
                          .statusCode()
                      == 200);
      System.out.printf(
          "[measure] outage: service writes again %d ms after Redis restarted%n", took.toMillis());
      assertEquals(
          200,
          timedPut("/storage/kv/" + bucket + "/entries/k", "{\"v\":1}").response().statusCode());
      HttpResponse<String> read = timedGet("/storage/kv/" + bucket + "/entries/k").response();
      assertEquals(200, read.statusCode(), read.body());
      assertTrue(
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 5_000,
          "2xx again only after 5 s");
    }

    @Test
    void readinessIsUpAgainWithinFiveSeconds() {
      redis.start();
      Duration took = awaitTrue(Duration.ofSeconds(5), "readiness UP", OutageTest::ready);
      System.out.printf(
          "[measure] outage: readiness UP %d ms after Redis restarted%n", took.toMillis());
    }
  }

  /** Redis goes away while a request waits for its answer: its connection closes under it. */
  @Nested
  class RedisGoneMidRequest {
    @Test
    void aRequestInFlightWhenRedisStopsAnswers503() throws Exception {
      String bucket = newBucket();
      put(bucket, "k", "{\"v\":1}");
      // Paused, Redis holds the request; stopping it then closes the connection with the
      // request still pending (the client's CONNECTION_CLOSED error, once a 500).
      assertEquals("+OK", redis.command("CLIENT", "PAUSE", "3000", "ALL"));
      var pending =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> timedGet("/storage/kv/" + bucket + "/entries/k"));
      Thread.sleep(500);
      redis.stop();
      assertUnavailableInTime(
          "K8 GET (Redis stopped mid-request)", pending.get(15, TimeUnit.SECONDS));
    }
  }

  /** Redis accepts connections but answers nothing for 4 s (CLIENT PAUSE). */
  @Nested
  class RedisFrozen {
    private String bucket;

    @BeforeEach
    void freezeRedis() {
      bucket = newBucket();
      put(bucket, "k", "{\"v\":1}");
      assertEquals("+OK", redis.command("CLIENT", "PAUSE", "4000", "ALL"));
    }

    @Test
    void getAnswers503UnavailableInTime() {
      assertUnavailableInTime("K8 GET (frozen)", timedGet("/storage/kv/" + bucket + "/entries/k"));
    }

    @Test
    void putAnswers503UnavailableInTime() {
      assertUnavailableInTime(
          "K9 PUT (frozen)", timedPut("/storage/kv/" + bucket + "/entries/k", "{\"v\":2}"));
    }

    @Test
    void readinessIsDownInTime() {
      Timed t = timedGet("/q/health/ready");
      assertEquals(503, t.response().statusCode(), t.millis() + " ms: " + t.response().body());
      assertTrue(t.millis() < ANSWER_WITHIN_MS, "readiness took " + t.millis() + " ms");
    }
  }
}
