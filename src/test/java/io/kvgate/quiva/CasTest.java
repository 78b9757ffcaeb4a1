package io.kvgate.quiva;

import static io.kvgate.quiva.EntryApi.etag;
import static io.kvgate.quiva.EntryApi.newBucket;
import static io.kvgate.quiva.EntryApi.put;
import static io.kvgate.quiva.EntryApi.rawDelete;
import static io.kvgate.quiva.EntryApi.rawGet;
import static io.kvgate.quiva.EntryApi.rawPut;
import static io.kvgate.quiva.EntryApi.revision;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvgate.support.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Compare-and-set under real concurrency: If-Match and If-None-Match races on one key. */
@QuarkusTest
@WithTestResource(RedisResource.class)
class CasTest {
  private static final String JSON = "application/json";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ExecutorService pool;

  @BeforeEach
  void startPool() {
    pool = Executors.newFixedThreadPool(32);
  }

  @AfterEach
  void stopPool() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(10, TimeUnit.SECONDS);
  }

  /** Runs the tasks on {@code tasks.size()} threads released together; returns their results. */
  private <T> List<T> race(List<Callable<T>> tasks) throws Exception {
    CyclicBarrier start = new CyclicBarrier(tasks.size());
    List<Future<T>> futures = new ArrayList<>();
    for (Callable<T> task : tasks) {
      futures.add(
          pool.submit(
              () -> {
                start.await(10, TimeUnit.SECONDS);
                return task.call();
              }));
    }
    List<T> results = new ArrayList<>();
    for (Future<T> f : futures) {
      results.add(f.get(60, TimeUnit.SECONDS));
    }
    return results;
  }

  private static String path(String bucket, String key) {
    return "/storage/kv/" + bucket + "/entries/" + key;
  }

  private static Map<Integer, Integer> histogram(List<HttpResponse<String>> answers) {
    Map<Integer, Integer> counts = new TreeMap<>();
    for (HttpResponse<String> r : answers) {
      counts.merge(r.statusCode(), 1, Integer::sum);
    }
    return counts;
  }

  private static List<Callable<HttpResponse<String>>> writers(
      int n, String path, String header, String value) {
    List<Callable<HttpResponse<String>>> tasks = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String body = "{\"writer\":" + i + "}";
      tasks.add(() -> rawPut(path, body, "Content-Type", JSON, header, value));
    }
    return tasks;
  }

  private static HttpResponse<String> onlyWinner(List<HttpResponse<String>> answers) {
    return answers.stream().filter(r -> r.statusCode() == 200).findFirst().orElseThrow();
  }

  @Nested
  class IfMatch {

    @Test
    void twoWritersWithTheSameRevisionOneWinsEachRound() throws Exception {
      String b = newBucket();
      String p = path(b, "k");
      long rev = put(b, "k", "{\"writer\":-1}");
      for (int round = 0; round < 25; round++) {
        List<HttpResponse<String>> answers = race(writers(2, p, "If-Match", etag(rev)));
        assertEquals(Map.of(200, 1, 412, 1), histogram(answers), "round " + round);
        rev = revision(onlyWinner(answers).headers().firstValue("ETag").orElse(null));
      }
    }

    @Test
    void manyWritersWithTheSameRevisionExactlyOneWins() throws Exception {
      String b = newBucket();
      String p = path(b, "k");
      long rev = put(b, "k", "{\"writer\":-1}");
      List<HttpResponse<String>> answers = race(writers(32, p, "If-Match", etag(rev)));
      assertEquals(Map.of(200, 1, 412, 31), histogram(answers));
    }

    @Test
    void theWinnersValueAndRevisionAreWhatIsStored() throws Exception {
      String b = newBucket();
      String p = path(b, "k");
      long rev = put(b, "k", "{\"writer\":-1}");
      List<HttpResponse<String>> answers = race(writers(32, p, "If-Match", etag(rev)));
      int winner = answers.indexOf(onlyWinner(answers));
      HttpResponse<String> now = rawGet(p);
      assertEquals(etag(rev + 1), now.headers().firstValue("ETag").orElse(null));
      assertEquals(winner, JsonPath.from(now.body()).getInt("body.value.writer"));
    }

    @Test
    void racingDeletesWithTheSameRevisionDeleteOnce() throws Exception {
      String b = newBucket("\"history\":64");
      String p = path(b, "k");
      long rev = put(b, "k", "{}");
      List<Callable<HttpResponse<String>>> tasks = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        tasks.add(() -> rawDelete(p, "If-Match", etag(rev)));
      }
      List<HttpResponse<String>> answers = race(tasks);
      Map<Integer, Integer> counts = histogram(answers);
      assertEquals(1, counts.get(200), counts.toString());
      assertEquals(
          15, counts.getOrDefault(404, 0) + counts.getOrDefault(412, 0), counts.toString());
      JsonPath history = JsonPath.from(rawGet(p + "/history").body());
      assertEquals(List.of("put", "delete"), history.getList("body.results.operation"));
    }
  }

  @Nested
  class IfNoneMatchStar {

    @Test
    void racingCreatorsExactlyOneWins() throws Exception {
      String b = newBucket();
      List<HttpResponse<String>> answers = race(writers(32, path(b, "new"), "If-None-Match", "*"));
      assertEquals(Map.of(200, 1, 412, 31), histogram(answers));
    }

    @Test
    void theCreatorThatWonIsTheOneStored() throws Exception {
      String b = newBucket();
      String p = path(b, "new");
      List<HttpResponse<String>> answers = race(writers(32, p, "If-None-Match", "*"));
      int winner = answers.indexOf(onlyWinner(answers));
      HttpResponse<String> now = rawGet(p);
      assertEquals("\"1\"", now.headers().firstValue("ETag").orElse(null));
      assertEquals(winner, JsonPath.from(now.body()).getInt("body.value.writer"));
    }

    @Test
    void racingCreatorsOnManyKeysEachKeyHasOneWinner() throws Exception {
      String b = newBucket();
      List<Callable<HttpResponse<String>>> tasks = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        String p = path(b, "key-" + (i % 4));
        String body = "{\"writer\":" + i + "}";
        tasks.add(() -> rawPut(p, body, "Content-Type", JSON, "If-None-Match", "*"));
      }
      assertEquals(Map.of(200, 4, 412, 28), histogram(race(tasks)));
    }
  }

  @Nested
  class Counter {

    @Test
    void readThenIfMatchIncrementsLoseNoUpdate() throws Exception {
      String b = newBucket();
      String p = path(b, "counter");
      put(b, "counter", "{\"n\":0}");
      int threads = 32;
      int rounds = 20;
      AtomicLong ok = new AtomicLong();
      AtomicLong conflicts = new AtomicLong();
      AtomicLong reads = new AtomicLong();
      List<Callable<Map<Integer, Integer>>> tasks = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        tasks.add(
            () -> {
              Map<Integer, Integer> others = new TreeMap<>();
              for (int round = 0; round < rounds; round++) {
                for (int attempt = 0; ; attempt++) {
                  if (attempt == 5_000) {
                    fail("an increment did not get through in 5,000 attempts");
                  }
                  HttpResponse<String> read = rawGet(p);
                  reads.incrementAndGet();
                  if (read.statusCode() != 200) {
                    others.merge(read.statusCode(), 1, Integer::sum);
                    continue;
                  }
                  String tag = read.headers().firstValue("ETag").orElseThrow();
                  long n = MAPPER.readTree(read.body()).at("/body/value/n").asLong();
                  HttpResponse<String> write =
                      rawPut(p, "{\"n\":" + (n + 1) + "}", "Content-Type", JSON, "If-Match", tag);
                  if (write.statusCode() == 200) {
                    ok.incrementAndGet();
                    break;
                  }
                  if (write.statusCode() == 412) {
                    conflicts.incrementAndGet();
                  } else {
                    others.merge(write.statusCode(), 1, Integer::sum);
                  }
                }
              }
              return others;
            });
      }
      long start = System.nanoTime();
      List<Map<Integer, Integer>> unexpected = race(tasks);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      System.out.printf(
          "[measure] CAS counter: %d threads x %d increments in %d ms, %d reads, %d 412"
              + " conflicts%n",
          threads, rounds, millis, reads.get(), conflicts.get());

      for (Map<Integer, Integer> m : unexpected) {
        assertTrue(m.isEmpty(), "answers other than 200/412: " + m);
      }
      HttpResponse<String> end = rawGet(p);
      long n = JsonPath.from(end.body()).getLong("body.value.n");
      assertEquals(ok.get(), n, "final counter vs. acknowledged increments");
      assertEquals((long) threads * rounds, n);
    }
  }
}
