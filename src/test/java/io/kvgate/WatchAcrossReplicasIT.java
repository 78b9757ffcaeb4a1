package io.kvgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvgate.support.RedisServer;
import io.kvgate.support.TestAuth;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/** Proves that a change written through one kvgate replica reaches a watcher on another. */
class WatchAcrossReplicasIT {
  // ./mvnw verify runs it after package; alone: ./mvnw verify -Dtest=NONE
  //   -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=WatchAcrossReplicasIT
  // It runs the packaged target/quarkus-app/quarkus-run.jar, twice, against one redis-server.
  private static final Duration STARTUP = Duration.ofSeconds(60);
  private static final Duration EVENT_WAIT = Duration.ofSeconds(10);
  private static final Duration REQUEST_WAIT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();
  // HTTP/1.1: the default HTTP/2 would try an h2c upgrade on every plain-text request.
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private static RedisServer redis;
  private static Replica a;
  private static Replica b;

  /** A failed test shows what both replicas logged, since their output goes to files. */
  @RegisterExtension
  static final TestWatcher LOGS_ON_FAILURE =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
          for (Replica r : new Replica[] {a, b}) {
            if (r != null) {
              System.err.println(r.logReport());
            }
          }
        }
      };

  @BeforeAll
  static void startRedisAndTwoReplicas() throws IOException {
    Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
    assertTrue(Files.isRegularFile(jar), jar + " is missing: run ./mvnw package before this test");
    redis = new RedisServer();
    redis.start();
    a = new Replica("a", jar, redis.uri());
    b = new Replica("b", jar, redis.uri());
    // Both boot at once; each is waited for in turn.
    a.awaitReady(STARTUP);
    b.awaitReady(STARTUP);
  }

  @AfterAll
  static void stopEverything() {
    for (Replica r : new Replica[] {a, b}) {
      if (r != null) {
        r.stop();
      }
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void putsAndDeleteThroughBReachWatcherOnAInOrder() throws Exception {
    String bucket = createBucket(b);
    try (EventStream watch = EventStream.open(a, bucket, "mode=updates")) {
      long r1 = put(b, bucket, "k1", "{\"n\":1}");
      long r2 = put(b, bucket, "k2", "{\"n\":2,\"s\":\"two\"}");
      long r3 = put(b, bucket, "k1", "{\"n\":3}");
      deleteEntry(b, bucket, "k1");

      assertPut(watch.next(), "k1", r1, "{\"n\":1}");
      assertPut(watch.next(), "k2", r2, "{\"n\":2,\"s\":\"two\"}");
      assertPut(watch.next(), "k1", r3, "{\"n\":3}");
      // A delete answers no ETag; nothing else writes to this bucket, so it is the next revision.
      SseEvent deleted = watch.next();
      assertChange(deleted, "delete", "k1", r3 + 1);
      assertFalse(deleted.json().has("value"), "a delete carries no value: " + deleted);
      assertEquals(List.of(r1 + 1, r1 + 2), List.of(r2, r3), "revisions of one writer are dense");
    }
  }

  @Test
  void snapshotOnAShowsEarlierWritesThroughBThenLiveOnes() throws Exception {
    String bucket = createBucket(b);
    put(b, bucket, "alpha", "{\"v\":\"old\"}");
    Map<String, Long> revisions = new HashMap<>();
    revisions.put("alpha", put(b, bucket, "alpha", "{\"v\":\"new\"}"));
    revisions.put("beta", put(b, bucket, "beta", "{\"v\":\"b\"}"));
    long gone = put(b, bucket, "gamma", "{\"v\":\"g\"}");
    deleteEntry(b, bucket, "gamma");
    long last = gone + 1;

    try (EventStream watch = EventStream.open(a, bucket, "mode=snapshot")) {
      // The snapshot shows each live entry once, at its latest revision and value; a deleted
      // entry and overwritten values are not in it. Its order is the store's, so collect by key.
      Map<String, SseEvent> snapshot = new HashMap<>();
      for (int i = 0; i < revisions.size(); i++) {
        SseEvent e = watch.next();
        assertEquals("put", e.event(), "snapshot event " + e);
        // A replayed entry is no resume point: resuming from inside a snapshot would skip keys.
        assertNull(e.id(), "a snapshot event has no id: " + e);
        snapshot.put(e.json().path("key").asText(), e);
      }
      assertEquals(revisions.keySet(), snapshot.keySet());
      assertPutData(snapshot.get("alpha"), "alpha", revisions.get("alpha"), "{\"v\":\"new\"}");
      assertPutData(snapshot.get("beta"), "beta", revisions.get("beta"), "{\"v\":\"b\"}");

      SseEvent complete = watch.next();
      assertEquals("snapshot-complete", complete.event(), "after the snapshot: " + complete);
      assertEquals(Long.toString(last), complete.id(), "snapshot-complete is a resume point");
      assertEquals(last, complete.json().path("revision").asLong(), complete.toString());

      long live = put(b, bucket, "delta", "{\"v\":\"d\"}");
      assertEquals(last + 1, live);
      assertPut(watch.next(), "delta", live, "{\"v\":\"d\"}");
    }
  }

  @Test
  void watcherDroppedOnAResumesOnBWithEveryRevisionExactlyOnce() throws Exception {
    int writes = 2_000;
    // The writer waits here halfway, so that half the writes surely come after the drop.
    int pauseAt = writes / 2;
    int readBeforeDrop = 300;
    String bucket = createBucket(b);
    List<Long> etags = new ArrayList<>();
    CountDownLatch dropped = new CountDownLatch(1);
    AtomicReference<Throwable> writerFailure = new AtomicReference<>();

    EventStream first = EventStream.open(a, bucket, "mode=updates");
    Thread writer =
        new Thread(
            () -> {
              try {
                for (int i = 0; i < writes; i++) {
                  if (i == pauseAt && !dropped.await(30, TimeUnit.SECONDS)) {
                    throw new AssertionError("the first watcher was not dropped within 30 s");
                  }
                  long rev = put(b, bucket, "k" + (i % 50), "{\"i\":" + i + "}");
                  synchronized (etags) {
                    etags.add(rev);
                  }
                }
              } catch (Throwable t) {
                // Shown now: the main thread may first fail waiting for events that never come.
                t.printStackTrace();
                writerFailure.set(t);
              }
            },
            "writer");
    writer.setDaemon(true);
    writer.start();

    List<SseEvent> before = new ArrayList<>();
    try {
      for (int i = 0; i < readBeforeDrop; i++) {
        before.add(first.next());
      }
    } finally {
      // Drop the connection as a client that goes away would; whatever it had received by then
      // counts as seen, and its last id is where a reconnecting EventSource resumes.
      before.addAll(first.closeAndDrain());
    }
    // a must see the hang-up too, else the watcher would only have paused, not gone.
    a.awaitOpenWatches(0);
    dropped.countDown();
    String lastId = before.get(before.size() - 1).id();
    assertNotNull(lastId, "the last event before the drop has an id");

    List<SseEvent> after = new ArrayList<>();
    try (EventStream second =
        EventStream.open(b, bucket, "mode=updates", "Last-Event-ID", lastId)) {
      writer.join(Duration.ofSeconds(120).toMillis());
      assertFalse(writer.isAlive(), "the writer did not finish within 120 s");
      if (writerFailure.get() != null) {
        throw new AssertionError("the writer failed", writerFailure.get());
      }
      long finalRevision = etags.get(etags.size() - 1);
      long seen = Long.parseLong(lastId);
      while (seen < finalRevision) {
        SseEvent e = second.next();
        after.add(e);
        seen = e.json().path("revision").asLong();
      }
    }

    // Every write's revision, from one writer: increasing and with no gap.
    long firstRevision = etags.get(0);
    List<Long> expected =
        LongStream.range(firstRevision, firstRevision + writes)
            .boxed()
            .collect(Collectors.toList());
    assertEquals(expected, etags, "the writer's ETags");
    List<Long> union =
        Stream.concat(before.stream(), after.stream())
            .map(WatchAcrossReplicasIT::revisionOfPut)
            .collect(Collectors.toList());
    assertEquals(expected.size(), union.size(), "events before and after the resume, together");
    assertEquals(expected, union, "every revision exactly once, in order, across the resume");
    assertTrue(
        after.size() >= writes - pauseAt,
        "the resumed watcher on b got the writes made after the drop: " + after.size());
  }

  @Test
  void deletingBucketThroughBEndsWatcherOnA() throws Exception {
    String bucket = createBucket(b);
    // ?token= is how a browser's EventSource authenticates (it cannot send headers).
    try (EventStream watch =
        EventStream.openWithToken(a, bucket, "mode=updates", TestAuth.BOOTSTRAP_KEY)) {
      // One live change first, so the watcher surely follows the bucket's feed on a.
      long rev = put(b, bucket, "k", "{\"x\":true}");
      assertPut(watch.next(), "k", rev, "{\"x\":true}");

      deleteBucket(b, bucket);

      SseEvent end = watch.next();
      assertEquals("error", end.event(), "the last event: " + end);
      assertEquals("bucket_deleted", end.json().path("error").asText(), end.toString());
      assertFalse(end.json().path("message").asText().isBlank(), "a message: " + end);
      watch.assertClosed();
    }
  }

  // --- assertions on events ---

  private static void assertPut(SseEvent e, String key, long revision, String value)
      throws IOException {
    assertChange(e, "put", key, revision);
    assertEquals(JSON.readTree(value), e.json().get("value"), "value of " + e);
  }

  /** A put of the snapshot: like {@link #assertPut} but it has no id. */
  private static void assertPutData(SseEvent e, String key, long revision, String value)
      throws IOException {
    assertEquals("put", e.json().path("operation").asText(), e.toString());
    assertEquals(key, e.json().path("key").asText(), e.toString());
    assertEquals(revision, e.json().path("revision").asLong(), "revision of " + e);
    assertEquals(JSON.readTree(value), e.json().get("value"), "value of " + e);
    assertFalse(e.json().path("time").asText().isEmpty(), "a time: " + e);
  }

  /** A live change: its event name, its data, and its id (its revision, to resume from). */
  private static void assertChange(SseEvent e, String operation, String key, long revision) {
    assertEquals(operation, e.event(), "event name of " + e);
    assertEquals(Long.toString(revision), e.id(), "id of " + e);
    assertEquals(operation, e.json().path("operation").asText(), "operation of " + e);
    assertEquals(key, e.json().path("key").asText(), "key of " + e);
    assertEquals(revision, e.json().path("revision").asLong(), "revision of " + e);
    assertFalse(e.json().path("time").asText().isEmpty(), "a time: " + e);
  }

  private static long revisionOfPut(SseEvent e) {
    assertEquals("put", e.event(), e.toString());
    long revision = e.json().path("revision").asLong();
    assertEquals(Long.toString(revision), e.id(), "id of " + e);
    return revision;
  }

  // --- calls ---

  private static String createBucket(Replica r) throws Exception {
    String name = "w-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    HttpResponse<String> res = call(r, "POST", "/storage/kv", "{\"bucket\":\"" + name + "\"}");
    assertEquals(200, res.statusCode(), "create bucket: " + res.body());
    return name;
  }

  /** Writes a JSON entry and answers its revision, the ETag of the answer. */
  private static long put(Replica r, String bucket, String key, String json) throws Exception {
    HttpResponse<String> res = call(r, "PUT", "/storage/kv/" + bucket + "/entries/" + key, json);
    assertEquals(200, res.statusCode(), "put " + key + ": " + res.body());
    String etag = res.headers().firstValue("ETag").orElseThrow();
    return Long.parseLong(etag.replace("\"", ""));
  }

  private static void deleteEntry(Replica r, String bucket, String key) throws Exception {
    HttpResponse<String> res = call(r, "DELETE", "/storage/kv/" + bucket + "/entries/" + key, null);
    assertEquals(200, res.statusCode(), "delete " + key + ": " + res.body());
  }

  private static void deleteBucket(Replica r, String bucket) throws Exception {
    HttpResponse<String> res = call(r, "DELETE", "/storage/kv/" + bucket, null);
    assertEquals(200, res.statusCode(), "delete bucket: " + res.body());
  }

  private static HttpResponse<String> call(Replica r, String method, String path, String json)
      throws IOException, InterruptedException {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(r.uri(path))
            .timeout(REQUEST_WAIT)
            .header("X-Api-Key", TestAuth.BOOTSTRAP_KEY);
    if (json == null) {
      req.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      req.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(json));
    }
    return HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString());
  }

  // --- server-sent events ---

  /** One event: the id it carries itself (null when none), its name, and its data. */
  record SseEvent(String id, String event, String data) {
    JsonNode json() {
      try {
        return JSON.readTree(data);
      } catch (IOException e) {
        throw new AssertionError("data is not JSON: " + this, e);
      }
    }
  }

  /**
   * A minimal SSE parser, fed one line at a time: fields id, event and data (a space after the
   * colon is optional, several data lines join with a newline), comments start with a colon, and a
   * blank line ends an event. Unlike an EventSource it does not carry an id on to later events, so
   * a test sees which events carry one.
   */
  static final class SseParser {
    private String id;
    private String event;
    private StringBuilder data;

    /** The event a blank line ends, else null. */
    SseEvent line(String line) {
      if (line.isEmpty()) {
        SseEvent done = data == null ? null : new SseEvent(id, event, data.toString());
        id = null;
        event = null;
        data = null;
        return done;
      }
      if (line.startsWith(":")) {
        return null; // a comment: the server's keep-alive
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      switch (field) {
        case "id" -> id = value;
        case "event" -> event = value;
        case "data" ->
            data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
        default -> {} // retry and unknown fields do not matter here
      }
      return null;
    }
  }

  /** A watch stream read on a thread of its own into a queue of events; closing it hangs up. */
  static final class EventStream implements AutoCloseable {
    /** Put in the queue when the stream ends, however it ends. */
    private static final SseEvent END = new SseEvent(null, "(end of stream)", "");

    private final BlockingQueue<SseEvent> events = new LinkedBlockingQueue<>();
    private final Stream<String> lines;
    private final Thread reader;

    private EventStream(String name, Stream<String> lines) {
      this.lines = lines;
      this.reader =
          new Thread(
              () -> {
                SseParser parser = new SseParser();
                try {
                  lines.forEach(
                      line -> {
                        SseEvent e = parser.line(line);
                        if (e != null) {
                          events.add(e);
                        }
                      });
                } catch (UncheckedIOException hungUp) {
                  // closed by the test, or by the server without a last event
                } finally {
                  events.add(END);
                }
              },
              "sse-" + name);
      reader.setDaemon(true);
      reader.start();
    }

    /** Opens a watch with the key in X-Api-Key, and more headers as name, value pairs. */
    static EventStream open(Replica r, String bucket, String query, String... headers)
        throws Exception {
      HttpRequest.Builder req =
          HttpRequest.newBuilder(r.uri("/storage/kv/" + bucket + "/watch?" + query))
              .header("Accept", "text/event-stream")
              .header("X-Api-Key", TestAuth.BOOTSTRAP_KEY);
      if (headers.length > 0) {
        req.headers(headers);
      }
      return open(r, bucket, req);
    }

    /** Opens a watch with the key in ?token=, as an EventSource would. */
    static EventStream openWithToken(Replica r, String bucket, String query, String token)
        throws Exception {
      return open(
          r,
          bucket,
          HttpRequest.newBuilder(
                  r.uri("/storage/kv/" + bucket + "/watch?" + query + "&token=" + token))
              .header("Accept", "text/event-stream"));
    }

    private static EventStream open(Replica r, String bucket, HttpRequest.Builder req)
        throws Exception {
      // No request timeout (the stream is meant to last); the wait for the headers is bounded.
      // The service answers them only once the watch's starting point is fixed, so a write made
      // after this returns is one the watch must show.
      HttpResponse<Stream<String>> res;
      try {
        res =
            HTTP.sendAsync(req.GET().build(), HttpResponse.BodyHandlers.ofLines())
                .get(REQUEST_WAIT.toSeconds(), TimeUnit.SECONDS);
      } catch (TimeoutException | ExecutionException e) {
        throw new AssertionError("opening the watch on " + r.name + " failed", e);
      }
      if (res.statusCode() != 200) {
        String body;
        try (Stream<String> lines = res.body()) {
          body = lines.collect(Collectors.joining("\n"));
        }
        fail("watch on " + r.name + " answered " + res.statusCode() + ": " + body);
      }
      String type = res.headers().firstValue("Content-Type").orElse("");
      assertTrue(type.startsWith("text/event-stream"), "Content-Type " + type);
      return new EventStream(r.name + "-" + bucket, res.body());
    }

    /** The next event, waiting a bounded time; fails when none comes or the stream ended. */
    SseEvent next() throws InterruptedException {
      SseEvent e = events.poll(EVENT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      if (e == null) {
        fail("no event within " + EVENT_WAIT.toSeconds() + " s");
      }
      if (e == END) {
        events.add(END); // it stays ended
        fail("the stream ended while an event was expected");
      }
      return e;
    }

    /** Asserts that the server closed the stream with no further event. */
    void assertClosed() throws InterruptedException {
      SseEvent e = events.poll(EVENT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      if (e == null) {
        fail("the stream is still open " + EVENT_WAIT.toSeconds() + " s later");
      }
      assertSame(END, e, "no event after the last one: " + e);
    }

    /** Hangs up and answers the events received before that and not yet taken. */
    List<SseEvent> closeAndDrain() throws InterruptedException {
      close();
      List<SseEvent> rest = new ArrayList<>();
      events.drainTo(rest);
      // The reader has stopped, so the queue ends with END.
      assertSame(END, rest.remove(rest.size() - 1), "the queue ends with the end of the stream");
      return rest;
    }

    /** Hangs up: closing the lines cancels the response body, which closes the connection. */
    @Override
    public void close() throws InterruptedException {
      lines.close();
      reader.join(EVENT_WAIT.toMillis());
      assertFalse(reader.isAlive(), "the stream's reader did not stop after closing");
    }
  }

  // --- replicas ---

  /** One service instance: the packaged jar in a process of its own, its output in a file. */
  static final class Replica {
    final String name;
    final int port;
    final Path log;
    final Process process;

    Replica(String name, Path jar, String redisUri) throws IOException {
      this.name = name;
      this.port = freePort();
      this.log = Path.of("target", "watch-it-replica-" + name + ".log");
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      ProcessBuilder pb =
          new ProcessBuilder(java, "-Xmx256m", "-jar", jar.toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      Map<String, String> env = pb.environment();
      env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
      env.put("QUARKUS_REDIS_HOSTS", redisUri);
      env.put("KVGATE_BOOTSTRAP_API_KEY", TestAuth.BOOTSTRAP_KEY);
      // The resume test writes 2,000 entries with one key, more than a window's default limit.
      env.put("KVGATE_RATE_LIMIT_ENABLED", "false");
      this.process = pb.start();
    }

    URI uri(String pathAndQuery) {
      return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    /** Waits until the replica is ready (it reaches Redis), or fails with its log. */
    void awaitReady(Duration limit) {
      long deadline = System.nanoTime() + limit.toNanos();
      HttpRequest ready =
          HttpRequest.newBuilder(uri("/q/health/ready")).timeout(Duration.ofSeconds(2)).build();
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          fail("replica " + name + " exited with " + process.exitValue() + "\n" + logReport());
        }
        try {
          if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
            return;
          }
        } catch (IOException notListeningYet) {
          // it is still starting
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
      fail("replica " + name + " was not ready within " + limit.toSeconds() + " s\n" + logReport());
    }

    /** Waits until the replica serves this many watch streams (its kvgate_watch_open gauge). */
    void awaitOpenWatches(int expected) throws Exception {
      HttpRequest metrics = HttpRequest.newBuilder(uri("/q/metrics")).timeout(REQUEST_WAIT).build();
      long deadline = System.nanoTime() + EVENT_WAIT.toNanos();
      String line = null;
      while (System.nanoTime() < deadline) {
        String body = HTTP.send(metrics, HttpResponse.BodyHandlers.ofString()).body();
        line =
            body.lines().filter(l -> l.startsWith("kvgate_watch_open ")).findFirst().orElse(null);
        if (line != null && Double.parseDouble(line.split(" ")[1]) == expected) {
          return;
        }
        Thread.sleep(50);
      }
      fail("replica " + name + " still shows " + line + ", not " + expected);
    }

    String logReport() {
      String text;
      try {
        text = Files.readString(log, StandardCharsets.UTF_8);
      } catch (IOException e) {
        text = "(unreadable: " + e + ")";
      }
      return "----- replica " + name + " (port " + port + ", " + log + ") -----\n" + text;
    }

    /** Asks the process to stop (graceful shutdown), and kills it if it does not in time. */
    void stop() {
      process.destroy();
      try {
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }

    private static int freePort() throws IOException {
      try (ServerSocket s = new ServerSocket(0)) {
        return s.getLocalPort();
      }
    }
  }
}
