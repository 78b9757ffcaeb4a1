package io.kvgate.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvgate.support.RedisResource;
import io.kvgate.support.TestAuth;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * Sends generated malformed requests ({@link Fuzzer}) over raw sockets and an HTTP client and holds
 * the service to: no 5xx, no request left hanging, still up and serving afterwards, heap steady.
 * Short and seeded in the suite; {@code -Dfuzz.requests=20000} (bench/fuzz.sh) is the long run,
 * {@code -Dfuzz.seed=S -Dfuzz.only=I} replays one request.
 */
@QuarkusTest
@WithTestResource(RedisResource.class)
class FuzzTest {
  private static final long SEED = Long.getLong("fuzz.seed", 20261204L);
  private static final long REQUESTS = Long.getLong("fuzz.requests", 3_000L);
  private static final Long ONLY = Long.getLong("fuzz.only");
  private static final int THREADS = Integer.getInteger("fuzz.threads", 4);

  /** Longer than the storage timeout (2 s) by far: an answer later than this is a hang. */
  private static final int ANSWER_WITHIN_MS = 10_000;

  private static final String BUCKET = "fz";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  private final LongAdder noAnswer = new LongAdder();
  private final LongAdder rawSent = new LongAdder();

  @Test
  void malformedRequestsGetNo5xxAndTheServiceStaysUpWithSteadyHeap() throws Exception {
    Set<String> bucketsBefore = bucketNames();
    Set<String> keysBefore = apiKeyIds();
    Set<String> storesBefore = unnamedStoreIds();
    Fuzzer.Targets targets = prepare();
    Fuzzer fuzzer = new Fuzzer(SEED, targets);
    try {
      if (ONLY != null) {
        Fuzzer.Request req = fuzzer.generate(ONLY);
        System.out.println(req.describe());
        send(req);
        assertTrue(failures.isEmpty(), String.join("\n\n", failures));
        return;
      }
      long warmUp = Math.max(200, REQUESTS / 10);
      run(fuzzer, 0, warmUp, targets);
      long heapBefore = heapAfterGc();
      long start = System.nanoTime();
      run(fuzzer, warmUp, REQUESTS, targets);
      long millis = (System.nanoTime() - start) / 1_000_000;
      long heapAfter = heapAfterGc();

      Map<Integer, Long> histogram = new TreeMap<>();
      statuses.forEach((s, n) -> histogram.put(s, n.sum()));
      System.out.printf(
          "[measure] fuzz: seed %d, %d requests in all (%d over raw sockets), the %d after the"
              + " warm-up in %d ms;"
              + " statuses %s; no answer (broken framing) %d; 5xx or hang %d%n",
          SEED,
          REQUESTS,
          rawSent.sum(),
          REQUESTS - warmUp,
          millis,
          histogram,
          noAnswer.sum(),
          failures.size());
      System.out.printf(
          "[measure] fuzz: heap after GC %d MiB after the warm-up, %d MiB at the end%n",
          heapBefore >> 20, heapAfter >> 20);

      if (!failures.isEmpty()) {
        fail(
            failures.size()
                + " requests answered 5xx or hung (replay one with -Dfuzz.seed="
                + SEED
                + " -Dfuzz.only=<#>):\n\n"
                + String.join("\n\n", failures.stream().limit(30).toList()));
      }
      assertEquals(200, plain("GET", "/q/health/live", null).statusCode(), "liveness");
      assertEquals(200, plain("GET", "/q/health/ready", null).statusCode(), "readiness");
      // Still serving: a new bucket, a write and its read-back (the fuzzed requests may have
      // deleted or renamed the fuzzed bucket, rightly: seed 20261206 does).
      String after = "fz-after-" + Long.toHexString(System.nanoTime());
      HttpResponse<String> created = plain("POST", "/storage/kv", "{\"bucket\":\"" + after + "\"}");
      assertEquals(200, created.statusCode(), created.body());
      String path = "/storage/kv/" + after + "/entries/after-fuzz";
      assertEquals(200, plain("PUT", path, "{\"ok\":true}").statusCode());
      HttpResponse<String> read = plain("GET", path, null);
      assertEquals(200, read.statusCode(), read.body());
      assertTrue(read.body().contains("\"ok\":true"), read.body());
      // Steady: whatever the requests leave behind is not kept in memory (a fixed allowance for
      // caches and pools that fill once, and for the noise of one GC measurement).
      assertTrue(
          heapAfter < heapBefore + 48L * 1024 * 1024,
          "heap grew from " + (heapBefore >> 20) + " to " + (heapAfter >> 20) + " MiB");
    } finally {
      cleanUp(bucketsBefore, keysBefore, storesBefore);
    }
  }

  private void run(Fuzzer fuzzer, long from, long to, Fuzzer.Targets targets)
      throws InterruptedException {
    AtomicLong next = new AtomicLong(from);
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < THREADS; w++) {
      Thread t =
          new Thread(
              () -> {
                for (long i = next.getAndIncrement(); i < to; i = next.getAndIncrement()) {
                  if (i % 250 == 0) {
                    restore(targets);
                  }
                  send(fuzzer.generate(i));
                }
              },
              "fuzz-" + w);
      workers.add(t);
      t.start();
    }
    for (Thread t : workers) {
      t.join();
    }
  }

  // --- sending ---

  private void send(Fuzzer.Request req) {
    if (!req.raw()) {
      try {
        sendWithClient(req);
        return;
      } catch (IllegalArgumentException notSendable) {
        // the client refuses this URI or header: the raw socket sends it as it is
      }
    }
    rawSent.increment();
    sendRaw(req);
  }

  private void sendWithClient(Fuzzer.Request req) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port + req.target()))
            .timeout(Duration.ofMillis(ANSWER_WITHIN_MS));
    for (String[] h : req.headers()) {
      b.header(h[0], h[1]);
    }
    b.method(
        req.method(),
        req.body() == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(req.body()));
    HttpRequest built = b.build();
    try {
      HttpResponse<byte[]> res = CLIENT.send(built, HttpResponse.BodyHandlers.ofByteArray());
      record(req, res.statusCode(), res.body());
    } catch (HttpTimeoutException e) {
      failures.add("HANG (no answer within " + ANSWER_WITHIN_MS + " ms)\n" + req.describe());
    } catch (IOException e) {
      // The server may close on a request it refuses (over a cap) before reading it all.
      noAnswer.increment();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void sendRaw(Fuzzer.Request req) {
    byte[] head;
    if (req.rawHead() != null) {
      head = req.rawHead().getBytes(StandardCharsets.UTF_8);
    } else {
      StringBuilder h = new StringBuilder();
      h.append(req.method()).append(' ').append(req.target()).append(" HTTP/1.1\r\n");
      h.append("Host: 127.0.0.1\r\nConnection: close\r\n");
      for (String[] x : req.headers()) {
        h.append(x[0]).append(": ").append(x[1]).append("\r\n");
      }
      if (req.body() != null) {
        h.append("Content-Length: ").append(req.body().length).append("\r\n");
      }
      head = h.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
    }
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", RestAssured.port), 5_000);
      s.setSoTimeout(ANSWER_WITHIN_MS);
      try {
        OutputStream out = s.getOutputStream();
        out.write(head);
        if (req.body() != null) {
          out.write(req.body());
        }
        out.flush();
      } catch (IOException closedEarly) {
        // answered and closed before the whole body was sent: the answer is still there to read
      }
      byte[] answer = readHead(s.getInputStream());
      String text = new String(answer, StandardCharsets.ISO_8859_1);
      if (!text.startsWith("HTTP/1.")) {
        if (req.badFraming()) {
          noAnswer.increment();
        } else {
          failures.add("NO ANSWER (connection closed)\n" + req.describe() + "\n-> " + text);
        }
        return;
      }
      int status = Integer.parseInt(text.substring(9, 12));
      record(req, status, answer);
    } catch (SocketTimeoutException e) {
      failures.add("HANG (no answer within " + ANSWER_WITHIN_MS + " ms)\n" + req.describe());
    } catch (IOException e) {
      if (req.badFraming()) {
        noAnswer.increment();
      } else {
        failures.add("NO ANSWER (" + e + ")\n" + req.describe());
      }
    }
  }

  /** Reads up to the end of the answer's head and a little of its body, or up to the close. */
  private static byte[] readHead(InputStream in) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    int headEnd = -1;
    int n;
    while ((n = in.read(buf)) > 0) {
      got.write(buf, 0, n);
      if (headEnd < 0) {
        headEnd = got.toString(StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n");
      }
      // A watch stream never closes: its head and first bytes are enough.
      if (headEnd >= 0 && got.size() > headEnd + 1_000) {
        break;
      }
      if (headEnd >= 0 && got.toString(StandardCharsets.ISO_8859_1).contains("text/event-stream")) {
        break;
      }
    }
    return got.toByteArray();
  }

  private void record(Fuzzer.Request req, int status, byte[] answer) {
    statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
    if (status >= 500) {
      failures.add(
          status
              + "\n"
              + req.describe()
              + "\n-> "
              + Fuzzer.printable(answer == null ? new byte[0] : answer, 600));
    }
  }

  // --- the fuzzed data set ---

  private Fuzzer.Targets prepare() throws Exception {
    plain("POST", "/storage/kv", "{\"bucket\":\"" + BUCKET + "\",\"history\":3}");
    Fuzzer.Targets t = new Fuzzer.Targets(BUCKET, storeId(), "k1", "bin");
    restore(t);
    return t;
  }

  private String storeId() throws IOException {
    HttpResponse<String> res = plain("GET", "/v2/key-value-stores/~" + BUCKET, null);
    assertEquals(200, res.statusCode(), res.body());
    return JSON.readTree(res.body()).path("data").path("id").asText();
  }

  /** Puts back what destructive requests may have changed: the bucket, its entries, victims. */
  private void restore(Fuzzer.Targets t) {
    plain("PUT", "/storage/kv/" + BUCKET, "{}");
    plain("PUT", "/storage/kv/" + BUCKET + "/entries/" + t.key(), "{\"v\":1,\"n\":{\"a\":2}}");
    send(
        "PUT",
        "/v2/key-value-stores/~" + BUCKET + "/records/" + t.binaryKey(),
        new byte[] {0, 1, 2, (byte) 0xFF},
        "application/octet-stream");
    for (int i = 0; i < 4; i++) {
      plain("POST", "/storage/kv", "{\"bucket\":\"fz-victim-" + i + "\"}");
    }
  }

  private static HttpResponse<String> plain(String method, String path, String json) {
    return send(method, path, json == null ? null : Fuzzer.bytes(json), "application/json");
  }

  private static HttpResponse<String> send(
      String method, String path, byte[] body, String contentType) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port + path))
            .timeout(Duration.ofSeconds(15))
            .header("X-Api-Key", TestAuth.BOOTSTRAP_KEY);
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", contentType)
          .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    }
    try {
      return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(method + " " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static long heapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  // --- leaving the shared Redis as other tests expect it ---

  private static Set<String> bucketNames() throws IOException {
    Set<String> names = new HashSet<>();
    JsonNode results = JSON.readTree(plain("GET", "/storage/kv", null).body()).path("body");
    results.path("results").forEach(b -> names.add(b.path("name").asText()));
    return names;
  }

  private static Set<String> apiKeyIds() throws IOException {
    Set<String> ids = new HashSet<>();
    JsonNode body = JSON.readTree(plain("GET", "/auth/api-keys", null).body());
    JsonNode results = body.has("body") ? body.path("body").path("results") : body.path("results");
    results.forEach(k -> ids.add(k.path("id").asText()));
    return ids;
  }

  private static Set<String> unnamedStoreIds() throws IOException {
    Set<String> ids = new HashSet<>();
    JsonNode items =
        JSON.readTree(plain("GET", "/v2/key-value-stores?unnamed=1&limit=1000", null).body())
            .path("data")
            .path("items");
    items.forEach(s -> ids.add(s.path("id").asText()));
    return ids;
  }

  private static void cleanUp(Set<String> buckets, Set<String> keys, Set<String> stores)
      throws IOException {
    for (String id : unnamedStoreIds()) {
      if (!stores.contains(id)) {
        plain("DELETE", "/v2/key-value-stores/" + id, null);
      }
    }
    for (String name : bucketNames()) {
      if (!buckets.contains(name)) {
        plain("DELETE", "/storage/kv/" + name, null);
      }
    }
    for (String id : apiKeyIds()) {
      if (!keys.contains(id)) {
        plain("DELETE", "/auth/api-keys/" + id, null);
      }
    }
  }
}
