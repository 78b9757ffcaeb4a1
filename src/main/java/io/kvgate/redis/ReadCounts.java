package io.kvgate.redis;

import io.kvgate.config.KvgateConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The reads of single entries (K8, /v2 record GET and HEAD), counted in this replica and added to
 * their buckets' stats ({@code reads}, {@code accessed}) in Redis every {@code
 * kvgate.storage.read-counts-interval}, so that a read costs Redis no write. A bucket's stats are
 * read through {@link #flush(String)} first, so this replica's own reads are always in them; other
 * replicas' reads arrive within the interval. Counts that could not be added (Redis away) are kept
 * for the next turn.
 */
@Singleton
class ReadCounts {
  private final RedisCalls redis;
  private final Scripts scripts;
  private final KeySpace keys;
  private final Vertx vertx;
  private final Duration interval;
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private long timer = -1;

  /**
   * What one bucket has pending: reads, the latest read's time, and the last addition sent to Redis
   * (a stats read waits for it, so counts on their way are not missed).
   */
  private static final class Pending {
    final AtomicLong reads = new AtomicLong();
    final AtomicLong accessed = new AtomicLong();
    CompletableFuture<Void> sent = CompletableFuture.completedFuture(null);
  }

  ReadCounts(RedisCalls redis, Scripts scripts, KeySpace keys, Vertx vertx, KvgateConfig config) {
    this.redis = redis;
    this.scripts = scripts;
    this.keys = keys;
    this.vertx = vertx;
    this.interval = config.storage().readCountsInterval();
  }

  void start(@Observes StartupEvent event) {
    timer = vertx.setPeriodic(Math.max(10, interval.toMillis()), id -> flushAll());
  }

  void stop(@Observes ShutdownEvent event) {
    vertx.cancelTimer(timer);
    try {
      flushAll().await().atMost(Duration.ofSeconds(2));
    } catch (RuntimeException e) {
      Log.warnf("read counts not added at shutdown: %s", e.getMessage());
    }
  }

  /** Counts one read of an entry of bucket {@code id} at {@code now} (ms). */
  void count(String id, long now) {
    Pending p = pending.computeIfAbsent(id, k -> new Pending());
    p.reads.incrementAndGet();
    p.accessed.accumulateAndGet(now, Math::max);
  }

  /**
   * Adds what is pending for bucket {@code id} to its stats, after any addition already on its way;
   * done at once when nothing is pending or on its way.
   */
  Uni<Void> flush(String id) {
    Pending p = pending.get(id);
    if (p == null) {
      return Uni.createFrom().voidItem();
    }
    CompletableFuture<Void> done;
    synchronized (p) {
      long n = p.reads.getAndSet(0);
      if (n > 0) {
        long at = p.accessed.get();
        p.sent =
            p.sent
                .exceptionally(t -> null)
                .thenCompose(
                    v ->
                        redis
                            .script(scripts.readsAdd, keys.bucket(id), n, at)
                            .replaceWithVoid()
                            .onFailure()
                            // Kept for the next turn; the stats read that asked fails as well.
                            .invoke(t -> p.reads.addAndGet(n))
                            .subscribeAsCompletionStage());
      }
      done = p.sent;
    }
    // A copy for each caller: Mutiny cancels the stage it was given when its subscriber goes away
    // (a client that disconnects), and cancelling the shared one failed every other stats read
    // waiting on it with CancellationException, a 500 (fuzz seed 20261204, #3851 and #19833).
    return Uni.createFrom().completionStage(done.copy());
  }

  private Uni<Void> flushAll() {
    List<Uni<Void>> flushes = new ArrayList<>();
    for (Map.Entry<String, Pending> e : pending.entrySet()) {
      Pending p = e.getValue();
      if (p.reads.get() > 0) {
        flushes.add(flush(e.getKey()).onFailure().recoverWithNull().replaceWithVoid());
      } else if (p.sent.isDone() && pending.remove(e.getKey(), p) && p.reads.get() > 0) {
        // A read counted on the entry just removed: put it back.
        Pending back = pending.computeIfAbsent(e.getKey(), k -> new Pending());
        back.reads.addAndGet(p.reads.getAndSet(0));
        back.accessed.accumulateAndGet(p.accessed.get(), Math::max);
      }
    }
    if (flushes.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return Uni.join().all(flushes).andCollectFailures().replaceWithVoid();
  }
}
