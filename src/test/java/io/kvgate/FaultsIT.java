package io.kvgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvgate.support.RedisServer;
import io.kvgate.support.ServiceProcess;
import io.kvgate.support.TestAuth;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Faults against real processes (a redis-server of its own and the packaged service): Redis stopped
 * under load, Redis killed under a load of acknowledged writes with AOF on, a contended counter
 * through If-Match, and SIGTERM to the service under load.
 */
class FaultsIT {
  // ./mvnw verify runs it after package; alone: ./mvnw verify -Dtest=NONE
  //   -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=FaultsIT
  // bench/faults.sh runs it with the full sizes.
  private static final Duration STARTUP = Duration.ofSeconds(90);
  private static final long ANSWER_WITHIN_MS = 2_500;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String VALUE = "{\"data\":\"" + "x".repeat(200) + "\"}";
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .executor(java.util.concurrent.Executors.newCachedThreadPool())
          .build();

  private final List<AutoCloseable> started = new ArrayList<>();
  private ServiceProcess service;

  @AfterEach
  void stopEverything() throws Exception {
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).close();
    }
  }

  private RedisServer redis(String... args) {
    RedisServer r = new RedisServer(args);
    r.start();
    started.add(r::close);
    return r;
  }

  private ServiceProcess service(String name, RedisServer redis) {
    service = new ServiceProcess(name, redis.uri(), Map.of());
    started.add(service);
    return service.awaitReady(STARTUP);
  }

  // --- Redis stopped under load ---

  @Test
  void redisStoppedUnderLoadEveryRequestAnsweredInTimeThenRecoveryWithoutRestart()
      throws Exception {
    // Persistent, as a production Redis is: what comes back after the stop is the same data.
    RedisServer redis = redis("--appendonly", "yes");
    ServiceProcess svc = service("outage", redis);
    String bucket = createBucket(svc, "outage");
    for (int i = 0; i < 50; i++) {
      assertEquals(200, put(svc, bucket, "k" + i, VALUE).status());
    }
    Load load = new Load(16, n -> {});
    load.start(
        (c, r) ->
            r.nextBoolean()
                ? put(svc, bucket, "k" + r.nextInt(50), VALUE)
                : get(svc, "/storage/kv/" + bucket + "/entries/k" + r.nextInt(50)));
    Readiness readiness = new Readiness(svc);
    readiness.start();
    Thread.sleep(3_000);

    redis.stop();
    long stoppedAt = System.nanoTime();
    Thread.sleep(6_000);
    redis.start();
    long backAt = System.nanoTime();
    // 2xx again within 5 s of Redis coming back: the first success that starts after it.
    long firstSuccess = load.awaitSuccessStartedAfter(backAt, Duration.ofSeconds(10));
    Thread.sleep(2_000);
    load.stop();
    readiness.stop();

    long downAfterMs = readiness.firstDownAfter(stoppedAt);
    long upAfterMs = readiness.firstUpAfter(backAt);
    System.out.printf(
        "[measure] faults: Redis stopped under load: %d requests, statuses %s, slowest %d ms,"
            + " during the outage slowest %d ms; readiness DOWN %d ms after the stop, UP %d ms"
            + " after the restart; first 2xx %d ms after the restart%n",
        load.results.size(),
        load.statuses(),
        load.slowestMs(0, Long.MAX_VALUE),
        load.slowestMs(stoppedAt, backAt),
        downAfterMs,
        upAfterMs,
        (firstSuccess - backAt) / 1_000_000);
    assertEquals(List.of(), load.failures(), "every request answered");
    assertEquals(Map.of(), load.statusesOtherThan(200, 503), "only 200 and 503");
    assertTrue(load.count(503) > 0, "the outage showed: " + load.statuses());
    assertTrue(
        load.slowestMs(0, Long.MAX_VALUE) < ANSWER_WITHIN_MS,
        "the slowest answer took " + load.slowestMs(0, Long.MAX_VALUE) + " ms");
    assertTrue(downAfterMs >= 0 && downAfterMs < 5_000, "readiness DOWN after " + downAfterMs);
    assertTrue(upAfterMs >= 0 && upAfterMs < 5_000, "readiness UP after " + upAfterMs);
    assertTrue(firstSuccess - backAt < TimeUnit.SECONDS.toNanos(5), "2xx again after 5 s");
    assertTrue(svc.process().isAlive(), "the service was not restarted");
  }

  // --- Redis killed under acknowledged writes ---

  @Test
  void redisKilledWithAofAlwaysLosesNoAcknowledgedPut() throws Exception {
    int target = Integer.getInteger("faults.aof.puts", 20_000);
    RedisServer redis = redis("--appendonly", "yes", "--appendfsync", "always");
    ServiceProcess svc = service("aof", redis);
    String bucket = createBucket(svc, "aof");
    Map<String, String> acked = new ConcurrentHashMap<>();
    AtomicBoolean restarted = new AtomicBoolean();
    AtomicInteger ackedAtKill = new AtomicInteger(-1);
    AtomicInteger notAcked = new AtomicInteger();
    AtomicLong seq = new AtomicLong();
    Load load =
        new Load(
            32,
            n -> {
              if (n == target / 2) {
                // SIGKILL at the halfway mark, while the writers go on.
                ackedAtKill.set(acked.size());
                redis.kill();
                sleepQuietly(1_000);
                redis.start();
                restarted.set(true);
              }
            });
    load.start(
        (c, r) -> {
          String key = "p" + seq.incrementAndGet();
          String value =
              "{\"key\":\""
                  + key
                  + "\",\"n\":"
                  + r.nextLong()
                  + ",\"pad\":\""
                  + "v".repeat(64)
                  + "\"}";
          Answer a = put(svc, bucket, key, value);
          if (a.status() == 200) {
            acked.put(key, value);
          } else {
            notAcked.incrementAndGet();
            sleepQuietly(5);
          }
          return a;
        });
    load.awaitSuccesses(target, Duration.ofSeconds(240));
    load.awaitSuccessStartedAfter(System.nanoTime(), Duration.ofSeconds(10));
    load.stop();
    assertTrue(restarted.get(), "Redis was killed and restarted during the load");
    assertEquals(List.of(), load.failures(), "every request answered");
    assertEquals(Map.of(), load.statusesOtherThan(200, 503), "only 200 and 503");

    // Every acknowledged put reads back with its exact value, 1,000 keys per bulk-get.
    List<String> keys = new ArrayList<>(acked.keySet());
    int wrong = 0;
    List<String> examples = new ArrayList<>();
    for (int i = 0; i < keys.size(); i += 1_000) {
      List<String> part = keys.subList(i, Math.min(keys.size(), i + 1_000));
      ObjectNode body = JSON.createObjectNode();
      ArrayNode names = body.putArray("keys");
      part.forEach(names::add);
      Answer a = call(svc, "POST", "/storage/kv/" + bucket + "/bulk-get", body.toString());
      assertEquals(200, a.status(), a.body());
      JsonNode results = JSON.readTree(a.body()).path("body").path("results");
      assertEquals(part.size(), results.size());
      for (JsonNode r : results) {
        String key = r.path("key").asText();
        if (!JSON.readTree(acked.get(key)).equals(r.get("value"))) {
          wrong++;
          if (examples.size() < 5) {
            examples.add(key + " -> " + r.get("value"));
          }
        }
      }
    }
    System.out.printf(
        "[measure] faults: Redis SIGKILLed (appendfsync always) after %d acknowledged puts;"
            + " %d acknowledged in all, %d answered otherwise (503); %d read back, %d wrong or"
            + " missing%n",
        ackedAtKill.get(), acked.size(), notAcked.get(), keys.size(), wrong);
    assertTrue(acked.size() >= target, "acknowledged " + acked.size());
    assertEquals(0, wrong, "acknowledged puts lost or changed: " + examples);
  }

  // --- a counter through If-Match ---

  @Test
  void contendedCounterThroughIfMatchCountsEverySuccess() throws Exception {
    int clients = Integer.getInteger("faults.counter.clients", 64);
    // The suite runs 64 x 10 (the same contention, fewer rounds); bench/faults.sh 64 x 200.
    int increments = Integer.getInteger("faults.counter.increments", 10);
    RedisServer redis = redis();
    ServiceProcess svc = service("counter", redis);
    String bucket = createBucket(svc, "counter");
    String path = "/storage/kv/" + bucket + "/entries/counter";
    assertEquals(200, put(svc, bucket, "counter", "{\"n\":0}").status());
    AtomicInteger successes = new AtomicInteger();
    AtomicInteger conflicts = new AtomicInteger();
    // A PUT answered 503 (the storage deadline passed) may still have been applied by Redis.
    AtomicInteger unknown = new AtomicInteger();
    AtomicInteger readRetries = new AtomicInteger();
    Queue<String> odd = new ConcurrentLinkedQueue<>();
    long start = System.nanoTime();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      Thread t =
          new Thread(
              () -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                int lost = 0;
                for (int done = 0; done < increments; ) {
                  Answer read = get(svc, path);
                  if (read.status() == 503) {
                    readRetries.incrementAndGet(); // an overloaded machine: read again
                    continue;
                  }
                  if (read.status() != 200) {
                    odd.add("GET " + read);
                    return;
                  }
                  long n = json(read.body()).path("body").path("value").path("n").asLong();
                  Answer write =
                      call(svc, "PUT", path, "{\"n\":" + (n + 1) + "}", "If-Match", read.etag());
                  if (write.status() == 200) {
                    successes.incrementAndGet();
                    done++;
                    lost = 0;
                  } else if (write.status() == 412) {
                    conflicts.incrementAndGet();
                    // Jittered exponential backoff, as a well-behaved client retries: without it
                    // 64 clients mostly collide and each round wastes 63 GET and PUT pairs.
                    lost = Math.min(lost + 1, 6);
                    sleepQuietly(r.nextInt(1 << lost));
                  } else if (write.status() == 503) {
                    unknown.incrementAndGet();
                  } else {
                    odd.add("PUT " + write);
                    return;
                  }
                }
              },
              "counter-" + c);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join(TimeUnit.MINUTES.toMillis(10));
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    long finalCount = json(get(svc, path).body()).path("body").path("value").path("n").asLong();
    System.out.printf(
        "[measure] faults: counter, %d clients x %d increments through If-Match in %d ms: final"
            + " count %d, 2xx %d, 412 %d, PUT 503 (outcome unknown) %d, GET 503 (read again) %d%n",
        clients,
        increments,
        millis,
        finalCount,
        successes.get(),
        conflicts.get(),
        unknown.get(),
        readRetries.get());
    assertEquals(List.of(), List.copyOf(odd), "only 200, 412 and 503");
    assertEquals((long) clients * increments, successes.get());
    if (unknown.get() == 0) {
      assertEquals(successes.get(), finalCount, "the final count is the number of 2xx");
    } else {
      // Each 503 PUT added one or nothing; none was counted twice.
      assertTrue(
          finalCount >= successes.get() && finalCount <= successes.get() + unknown.get(),
          "final " + finalCount + ", 2xx " + successes.get() + ", unknown " + unknown.get());
    }
  }

  // --- SIGTERM under load ---

  @Test
  void sigtermUnderLoadCompletesAcceptedRequestsWithNo5xxAndEndsWatches() throws Exception {
    RedisServer redis = redis();
    ServiceProcess svc = service("sigterm", redis);
    String bucket = createBucket(svc, "sigterm");
    for (int i = 0; i < 50; i++) {
      assertEquals(200, put(svc, bucket, "k" + i, VALUE).status());
    }
    List<String> watchLines = new java.util.concurrent.CopyOnWriteArrayList<>();
    CompletableFuture<HttpResponse<Stream<String>>> watch =
        HTTP.sendAsync(
            HttpRequest.newBuilder(svc.uri("/storage/kv/" + bucket + "/watch?mode=updates"))
                .header("Accept", "text/event-stream")
                .header("X-Api-Key", TestAuth.BOOTSTRAP_KEY)
                .build(),
            HttpResponse.BodyHandlers.ofLines());
    HttpResponse<Stream<String>> stream = watch.get(10, TimeUnit.SECONDS);
    assertEquals(200, stream.statusCode());
    Thread reader = new Thread(() -> readLines(stream.body(), watchLines), "watch-reader");
    reader.start();

    // The clients route as a load balancer would: to the replica while it is ready.
    Readiness readiness = new Readiness(svc);
    readiness.start();
    Load load = new Load(32, n -> {});
    load.routable = readiness::routable;
    load.start(
        (c, r) ->
            r.nextInt(4) == 0
                ? put(svc, bucket, "k" + r.nextInt(50), VALUE)
                : get(svc, "/storage/kv/" + bucket + "/entries/k" + r.nextInt(50)));
    Thread.sleep(3_000);
    long sigtermAt = System.nanoTime();
    svc.terminate();
    load.awaitStopped(Duration.ofSeconds(30));
    boolean exited = svc.process().waitFor(60, TimeUnit.SECONDS);
    long exitMs = (System.nanoTime() - sigtermAt) / 1_000_000;
    readiness.stop();
    reader.join(10_000);

    long downMs = readiness.firstDownAfter(sigtermAt);
    long afterSigterm = load.results.stream().filter(x -> x.start > sigtermAt).count();
    String end = String.join("\n", watchLines);
    System.out.printf(
        "[measure] faults: SIGTERM under load: %d requests, statuses %s, %d of them sent after"
            + " the SIGTERM; readiness DOWN %d ms after it; exited after %d ms (code %s); the"
            + " watch ended with %s%n",
        load.results.size(),
        load.statuses(),
        afterSigterm,
        downMs,
        exitMs,
        exited ? Integer.toString(svc.process().exitValue()) : "none",
        watchLines.stream().filter(l -> l.startsWith("data:")).reduce((a, b) -> b).orElse("-"));
    assertTrue(exited, "the service did not exit within 60 s of SIGTERM");
    assertEquals(List.of(), load.failures(), "every request sent was answered");
    assertEquals(Map.of(), load.statusesOtherThan(200), "all 200, no 5xx");
    assertTrue(downMs >= 0 && downMs < 2_000, "readiness DOWN " + downMs + " ms after SIGTERM");
    assertTrue(end.contains("event: error") || end.contains("event:error"), "watch end: " + end);
    assertTrue(end.contains("shutting_down"), "the watch ends with shutting_down: " + end);
  }

  // --- load ---

  /** A request of the load: its start and end (nanoTime), and its status or failure. */
  record Result(long start, long end, int status, String failure) {}

  interface Step {
    Answer run(int client, ThreadLocalRandom random);
  }

  /** Clients in a loop until stopped; every request's timing and answer kept. */
  static final class Load {
    final Queue<Result> results = new ConcurrentLinkedQueue<>();
    private final int clients;
    private final IntConsumer onSuccess;
    private final AtomicInteger successes = new AtomicInteger();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    volatile java.util.function.BooleanSupplier routable = () -> true;

    Load(int clients, IntConsumer onSuccess) {
      this.clients = clients;
      this.onSuccess = onSuccess;
    }

    void start(Step step) {
      for (int c = 0; c < clients; c++) {
        int client = c;
        Thread t =
            new Thread(
                () -> {
                  ThreadLocalRandom r = ThreadLocalRandom.current();
                  while (running.get() && routable.getAsBoolean()) {
                    long start = System.nanoTime();
                    Answer a = step.run(client, r);
                    results.add(new Result(start, System.nanoTime(), a.status(), a.failure()));
                    if (a.status() >= 200 && a.status() < 300) {
                      onSuccess.accept(successes.incrementAndGet());
                    }
                  }
                },
                "load-" + c);
        threads.add(t);
        t.start();
      }
    }

    void awaitSuccesses(int n, Duration limit) throws InterruptedException {
      long deadline = System.nanoTime() + limit.toNanos();
      while (successes.get() < n && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertTrue(successes.get() >= n, "only " + successes.get() + " successes");
    }

    /** The end time of the first 2xx that started after {@code after}. */
    long awaitSuccessStartedAfter(long after, Duration limit) throws InterruptedException {
      long deadline = System.nanoTime() + limit.toNanos();
      while (System.nanoTime() < deadline) {
        long first =
            results.stream()
                .filter(x -> x.start > after && x.status >= 200 && x.status < 300)
                .mapToLong(Result::end)
                .min()
                .orElse(-1);
        if (first >= 0) {
          return first;
        }
        Thread.sleep(20);
      }
      throw new AssertionError("no 2xx within " + limit.toSeconds() + " s: " + statuses());
    }

    void stop() throws InterruptedException {
      running.set(false);
      awaitStopped(Duration.ofSeconds(30));
    }

    void awaitStopped(Duration limit) throws InterruptedException {
      long deadline = System.nanoTime() + limit.toNanos();
      for (Thread t : threads) {
        t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        assertFalse(t.isAlive(), t.getName() + " still running");
      }
    }

    List<String> failures() {
      return results.stream()
          .filter(x -> x.failure != null)
          .map(Result::failure)
          .limit(10)
          .collect(Collectors.toList());
    }

    Map<Integer, Long> statuses() {
      return new TreeMap<>(
          results.stream().collect(Collectors.groupingBy(Result::status, Collectors.counting())));
    }

    Map<Integer, Long> statusesOtherThan(Integer... allowed) {
      Map<Integer, Long> s = statuses();
      s.keySet().removeAll(List.of(allowed));
      return s;
    }

    long count(int status) {
      return results.stream().filter(x -> x.status == status).count();
    }

    /** The slowest answer among the requests that started in [from, to). */
    long slowestMs(long from, long to) {
      return results.stream()
              .filter(x -> x.start >= from && x.start < to)
              .mapToLong(x -> x.end - x.start)
              .max()
              .orElse(0)
          / 1_000_000;
    }
  }

  /** Polls readiness every 100 ms, as a load balancer would, and keeps what it saw. */
  static final class Readiness {
    private final ServiceProcess svc;
    private final Queue<long[]> samples = new ConcurrentLinkedQueue<>();
    private volatile boolean ready = true;
    private volatile boolean running = true;
    private Thread thread;

    Readiness(ServiceProcess svc) {
      this.svc = svc;
    }

    void start() {
      thread =
          new Thread(
              () -> {
                while (running) {
                  long at = System.nanoTime();
                  int status;
                  try {
                    status =
                        HTTP.send(
                                HttpRequest.newBuilder(svc.uri("/q/health/ready"))
                                    .timeout(Duration.ofSeconds(3))
                                    .build(),
                                HttpResponse.BodyHandlers.discarding())
                            .statusCode();
                  } catch (IOException e) {
                    status = -1;
                  } catch (InterruptedException e) {
                    return;
                  }
                  ready = status == 200;
                  samples.add(new long[] {at, status});
                  sleepQuietly(100);
                }
              },
              "readiness");
      thread.start();
    }

    boolean routable() {
      return ready;
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join(10_000);
    }

    /** Milliseconds from {@code t} to the first poll after it that was not UP, or -1. */
    long firstDownAfter(long t) {
      return samples.stream()
          .filter(s -> s[0] > t && s[1] != 200)
          .mapToLong(s -> (s[0] - t) / 1_000_000)
          .min()
          .orElse(-1);
    }

    /** Milliseconds from {@code t} to the first poll after it that was UP, or -1. */
    long firstUpAfter(long t) {
      return samples.stream()
          .filter(s -> s[0] > t && s[1] == 200)
          .mapToLong(s -> (s[0] - t) / 1_000_000)
          .min()
          .orElse(-1);
    }
  }

  // --- calls ---

  /** An answer: status, body and ETag; status -1 and a failure when there was none. */
  record Answer(int status, String body, String etag, String failure) {}

  private static String createBucket(ServiceProcess svc, String name) {
    Answer a = call(svc, "POST", "/storage/kv", "{\"bucket\":\"" + name + "\"}");
    assertEquals(200, a.status(), a.body());
    return name;
  }

  private static Answer put(ServiceProcess svc, String bucket, String key, String json) {
    return call(svc, "PUT", "/storage/kv/" + bucket + "/entries/" + key, json);
  }

  private static Answer get(ServiceProcess svc, String path) {
    return call(svc, "GET", path, null);
  }

  private static Answer call(
      ServiceProcess svc, String method, String path, String json, String... headers) {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(svc.uri(path))
            .timeout(Duration.ofSeconds(10))
            .header("X-Api-Key", TestAuth.BOOTSTRAP_KEY);
    if (headers.length > 0) {
      req.headers(headers);
    }
    if (json == null) {
      req.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      req.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(json));
    }
    try {
      HttpResponse<String> res = HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(
          res.statusCode(), res.body(), res.headers().firstValue("ETag").orElse(null), null);
    } catch (IOException e) {
      return new Answer(-1, null, null, method + " " + path + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(-1, null, null, "interrupted");
    }
  }

  private static JsonNode json(String body) {
    try {
      assertNotNull(body);
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + body, e);
    }
  }

  private static void readLines(Stream<String> lines, List<String> into) {
    try (lines) {
      lines.forEach(into::add);
    } catch (java.io.UncheckedIOException ended) {
      // the server went away: what arrived is in the list
    }
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
