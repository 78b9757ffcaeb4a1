package io.kvgate.quiva;

import static io.kvgate.quiva.EntryApi.awaitTrue;
import static io.kvgate.quiva.EntryApi.newBucket;
import static io.kvgate.quiva.EntryApi.put;
import static io.kvgate.quiva.WatchTest.metric;
import static io.kvgate.quiva.WatchTest.watch;
import static io.kvgate.support.QuivaOpenApi.assertError;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvgate.support.RedisResource;
import io.kvgate.support.SseStream;
import io.kvgate.support.SseStream.Event;
import io.kvgate.support.TestAuth;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The bounds of watches, with small settings: how far back a watch resumes, how far a slow client
 * may fall behind, keep-alives, and how many watchers one replica serves.
 */
@QuarkusTest
@TestProfile(WatchLimitsTest.SmallBounds.class)
@WithTestResource(RedisResource.class)
class WatchLimitsTest {
  static final int STREAM_LENGTH = 100;
  static final int BUFFER = 20;
  static final int MAX_WATCHERS = 3;

  public static class SmallBounds implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "kvgate.watch.stream-length", Integer.toString(STREAM_LENGTH),
          "kvgate.watch.buffer-events", Integer.toString(BUFFER),
          "kvgate.watch.keep-alive", "1s",
          "kvgate.watch.max-watchers", Integer.toString(MAX_WATCHERS));
    }
  }

  @Test
  void aResumePointNoLongerKeptIsResumeTooOld() {
    String b = newBucket();
    for (int i = 0; i < 5 * STREAM_LENGTH; i++) {
      put(b, "k" + (i % 10), "{\"i\":" + i + "}");
    }
    try (SseStream s = watch(b, "", "Last-Event-ID", "1")) {
      Event e = s.next("error");
      assertEquals("resume_too_old", e.json().get("error").asText());
      assertTrue(e.json().get("message").asText().contains("snapshot"), e.data());
      assertEquals(SseStream.END, s.next().name());
    }
    // A recent point is still kept.
    long last = put(b, "k0", "{}");
    try (SseStream s = watch(b, "", "Last-Event-ID", Long.toString(last - 10))) {
      for (long r = last - 9; r <= last; r++) {
        assertEquals(r, s.next("put").revision());
      }
    }
  }

  @Test
  void aSilentWatchGetsKeepAliveComments() {
    String b = newBucket();
    try (SseStream s = watch(b, "")) {
      Event e = s.nextAny(Duration.ofSeconds(4));
      assertEquals(SseStream.COMMENT, e.name());
      assertEquals("keep-alive", e.data());
      long r = put(b, "a", "{}");
      assertEquals(r, s.next("put").revision());
    }
  }

  @Test
  void aSlowClientIsEndedWithAReasonAndItsEventsDropped() throws IOException {
    String b = newBucket();
    double droppedBefore = metric("kvgate_watch_events_dropped_total");
    String value = "{\"s\":\"" + "x".repeat(60 * 1024) + "\"}";
    try (Socket socket = new Socket(RestAssured.baseURI.replace("http://", ""), RestAssured.port)) {
      // No reading: the socket buffers fill, then the watch's queue.
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET /storage/kv/"
                  + b
                  + "/watch HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n"
                  + "X-Api-Key: "
                  + TestAuth.BOOTSTRAP_KEY
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      awaitTrue(Duration.ofSeconds(5), "the watch is open", () -> metric("kvgate_watch_open") >= 1);
      int writes = 0;
      while (metric("kvgate_watch_events_dropped_total") == droppedBefore) {
        put(b, "big" + (writes % 50), value);
        writes++;
        assertTrue(writes < 2_000, "the slow watch was never ended");
      }
      // The client now reads: what was sent, then the reason, then the end of the stream.
      String text = readAll(socket.getInputStream());
      assertTrue(text.contains("event:error"), tail(text));
      assertTrue(text.contains("\"error\":\"slow_consumer\""), tail(text));
      assertTrue(text.endsWith("0\r\n\r\n"), "the chunked stream is closed: " + tail(text));
      assertTrue(metric("kvgate_watch_events_dropped_total") >= droppedBefore + BUFFER);
    }
    awaitTrue(
        Duration.ofSeconds(5), "the slow watch is closed", () -> metric("kvgate_watch_open") == 0);
  }

  @Test
  void aReplicaServesAtMostItsWatchers() {
    String b = newBucket();
    awaitTrue(
        Duration.ofSeconds(5),
        "earlier tests' watches are closed",
        () -> metric("kvgate_watch_open") == 0);
    List<SseStream> open = new ArrayList<>();
    try {
      for (int i = 0; i < MAX_WATCHERS; i++) {
        open.add(watch(b, ""));
        assertEquals(200, open.get(i).status());
      }
      awaitTrue(
          Duration.ofSeconds(5),
          "every watch is counted",
          () -> metric("kvgate_watch_open") == MAX_WATCHERS);
      assertError(given().get("/storage/kv/" + b + "/watch"), 503, "unavailable");
    } finally {
      open.forEach(SseStream::close);
    }
    awaitTrue(
        Duration.ofSeconds(5), "the watches are closed", () -> metric("kvgate_watch_open") == 0);
    try (SseStream again = watch(b, "")) {
      assertEquals(200, again.status());
    }
  }

  private static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[65536];
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      int n;
      try {
        n = in.read(buf);
      } catch (SocketTimeoutException e) {
        continue;
      }
      if (n < 0) {
        break;
      }
      all.write(buf, 0, n);
      String tail = new String(buf, Math.max(0, n - 5), Math.min(n, 5), StandardCharsets.US_ASCII);
      if (tail.endsWith("0\r\n\r\n")) {
        break;
      }
    }
    return all.toString(StandardCharsets.UTF_8);
  }

  private static String tail(String text) {
    return text.substring(Math.max(0, text.length() - 400));
  }
}
