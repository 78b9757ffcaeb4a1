package io.kvgate.security;

import io.kvgate.config.KvgateConfig;
import io.kvgate.error.KvException;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fixed-window rate limits counted across replicas without a Redis call on the request's path: each
 * replica counts locally and, every sync interval, adds its new counts to a shared counter in Redis
 * and learns the total of all replicas. A decision uses that total plus what this replica counted
 * since; replicas can overshoot a limit by at most what they admit in one sync interval.
 */
@Singleton
public class RateLimiter {
  private final KvgateConfig.RateLimit config;
  private final RateCounters shared;
  private final Vertx vertx;
  private final long windowMs;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final AtomicBoolean syncing = new AtomicBoolean();
  private long timer = -1;

  /** What one check decided, for the X-RateLimit headers. */
  public record Decision(long limit, long remaining) {}

  private static final class Counter {
    final long window;
    final AtomicLong local = new AtomicLong();
    volatile long shared;

    Counter(long window) {
      this.window = window;
    }
  }

  RateLimiter(KvgateConfig config, RateCounters shared, Vertx vertx) {
    this.config = config.rateLimit();
    this.shared = shared;
    this.vertx = vertx;
    this.windowMs = Math.max(1, this.config.window().toMillis());
  }

  void start(@Observes StartupEvent event) {
    if (config.enabled()) {
      timer = vertx.setPeriodic(Math.max(10, config.syncInterval().toMillis()), id -> sync());
    }
  }

  void stop(@Observes ShutdownEvent event) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  public boolean enabled() {
    return config.enabled();
  }

  /**
   * Counts one request of a principal (null: counted already) on a bucket (null for none) and
   * returns the tighter of the decisions; throws 429 {@code rate_limited} when a limit is reached.
   */
  public Decision acquire(String principal, String tenant, String bucket) {
    long now = System.currentTimeMillis();
    Decision p = principal == null ? null : take("p:" + principal, config.perPrincipal(), now);
    if (bucket == null) {
      return p;
    }
    Decision b = take("b:" + tenant + "/" + bucket, config.perBucket(), now);
    return p == null || b.remaining() < p.remaining() ? b : p;
  }

  private Decision take(String subject, long limit, long now) {
    long window = now / windowMs;
    Counter c =
        counters.compute(
            subject, (k, old) -> old == null || old.window != window ? new Counter(window) : old);
    long used = c.shared + c.local.incrementAndGet();
    if (used > limit) {
      c.local.decrementAndGet();
      long retryAfter = Math.max(1, ((window + 1) * windowMs - now + 999) / 1000);
      throw new KvException.RateLimited(limit, retryAfter);
    }
    return new Decision(limit, limit - used);
  }

  private void sync() {
    if (!syncing.compareAndSet(false, true)) {
      return;
    }
    long window = System.currentTimeMillis() / windowMs;
    List<Uni<Void>> adds = new ArrayList<>();
    for (Map.Entry<String, Counter> e : counters.entrySet()) {
      Counter c = e.getValue();
      if (c.window < window) {
        counters.remove(e.getKey(), c);
        continue;
      }
      long delta = c.local.get();
      // The shared total takes the delta before the local count gives it up: for a moment a
      // decision may count it twice (stricter), never not at all.
      adds.add(
          shared
              .add(e.getKey(), c.window, delta, windowMs * 2)
              .invoke(
                  total -> {
                    c.shared = total;
                    c.local.addAndGet(-delta);
                  })
              .onFailure()
              .recoverWithNull()
              .replaceWithVoid());
    }
    if (adds.isEmpty()) {
      syncing.set(false);
      return;
    }
    Uni.join()
        .all(adds)
        .andCollectFailures()
        .subscribe()
        .with(done -> syncing.set(false), failure -> syncing.set(false));
  }
}
