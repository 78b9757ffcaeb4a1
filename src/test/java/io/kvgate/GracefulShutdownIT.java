package io.kvgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvgate.WatchAcrossReplicasIT.EventStream;
import io.kvgate.WatchAcrossReplicasIT.Replica;
import io.kvgate.WatchAcrossReplicasIT.SseEvent;
import io.kvgate.support.RedisServer;
import io.kvgate.support.TestAuth;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM as Kubernetes sends it: open watch streams end at once with {@code shutting_down} (they
 * do not hold shutdown to quarkus.shutdown.timeout), a request in flight still completes, and the
 * process exits long before terminationGracePeriodSeconds.
 */
class GracefulShutdownIT {
  // ./mvnw verify runs it after package; alone: ./mvnw verify -Dtest=NONE
  //   -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=GracefulShutdownIT
  private static final Duration STARTUP = Duration.ofSeconds(60);

  /** Well under quarkus.shutdown.timeout (30 s), which an open stream used to hold shutdown to. */
  private static final Duration EXIT_WITHIN = Duration.ofSeconds(15);

  private static final int BODY_CHUNKS = 20;
  private static final int CHUNK = 50_000;
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private RedisServer redis;
  private Replica first;
  private Replica second;

  @AfterEach
  void stopEverything() {
    for (Replica r : new Replica[] {first, second}) {
      if (r != null) {
        r.stop();
      }
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void sigtermEndsWatchesAtOnceAndFinishesTheRequestInFlight() throws Exception {
    Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
    assertTrue(Files.isRegularFile(jar), jar + " is missing: run ./mvnw package before this test");
    redis = new RedisServer();
    redis.start();
    first = new Replica("shutdown-1", jar, redis.uri());
    first.awaitReady(STARTUP);

    String bucket = "g-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    assertEquals(200, call(first, "POST", "/storage/kv", "{\"bucket\":\"" + bucket + "\"}"));
    try (EventStream watch = EventStream.open(first, bucket, "mode=updates")) {
      assertEquals(200, call(first, "PUT", "/storage/kv/" + bucket + "/entries/a", "{\"n\":1}"));
      assertEquals("put", watch.next().event());

      // A 1 MB put whose body arrives over about two seconds: in flight when SIGTERM comes.
      CompletableFuture<HttpResponse<String>> slow =
          HTTP.sendAsync(
              HttpRequest.newBuilder(first.uri("/storage/kv/" + bucket + "/entries/slow"))
                  .timeout(Duration.ofSeconds(30))
                  .header("X-Api-Key", TestAuth.BOOTSTRAP_KEY)
                  .header("Content-Type", "application/json")
                  .PUT(HttpRequest.BodyPublishers.ofInputStream(SlowJson::new))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      Thread.sleep(500);

      long sigterm = System.nanoTime();
      first.process.destroy();
      SseEvent last = watch.next();
      long ended = System.nanoTime() - sigterm;
      assertEquals("error", last.event(), "the last event: " + last);
      assertEquals("shutting_down", last.json().path("error").asText(), last.toString());
      assertTrue(
          ended < Duration.ofSeconds(5).toNanos(),
          "the watch ended " + ended / 1_000_000 + " ms after SIGTERM");
      watch.assertClosed();

      HttpResponse<String> put = slow.get(30, TimeUnit.SECONDS);
      assertEquals(200, put.statusCode(), "the put in flight at SIGTERM: " + put.body());
      assertTrue(
          first.process.waitFor(EXIT_WITHIN.toMillis(), TimeUnit.MILLISECONDS),
          "still running " + EXIT_WITHIN.toSeconds() + " s after SIGTERM\n" + first.logReport());
    }

    // The acknowledged write is there for the next replica.
    second = new Replica("shutdown-2", jar, redis.uri());
    second.awaitReady(STARTUP);
    HttpResponse<String> read =
        HTTP.send(
            HttpRequest.newBuilder(second.uri("/storage/kv/" + bucket + "/entries/slow"))
                .timeout(Duration.ofSeconds(10))
                .header("X-Api-Key", TestAuth.BOOTSTRAP_KEY)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, read.statusCode(), read.body());
    assertTrue(
        read.body().contains("x".repeat(BODY_CHUNKS * CHUNK)),
        "the value read back is the one put");
  }

  private static int call(Replica r, String method, String path, String json)
      throws IOException, InterruptedException {
    return HTTP.send(
            HttpRequest.newBuilder(r.uri(path))
                .timeout(Duration.ofSeconds(10))
                .header("X-Api-Key", TestAuth.BOOTSTRAP_KEY)
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  /** {@code {"v":"xxx..."}} of BODY_CHUNKS * CHUNK x, a chunk every 100 ms. */
  private static final class SlowJson extends InputStream {
    private static final byte[] HEAD = "{\"v\":\"".getBytes();
    private static final byte[] TAIL = "\"}".getBytes();
    private final byte[] chunk = new byte[CHUNK];
    private int part = -1;
    private byte[] current = HEAD;
    private int pos;

    SlowJson() {
      Arrays.fill(chunk, (byte) 'x');
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0];
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      while (current != null && pos == current.length) {
        part++;
        pos = 0;
        if (part < BODY_CHUNKS) {
          try {
            Thread.sleep(100);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
          }
          current = chunk;
        } else {
          current = part == BODY_CHUNKS ? TAIL : null;
        }
      }
      if (current == null) {
        return -1;
      }
      int n = Math.min(len, current.length - pos);
      System.arraycopy(current, pos, b, off, n);
      pos += n;
      return n;
    }
  }
}
