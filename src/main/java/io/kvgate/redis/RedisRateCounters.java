package io.kvgate.redis;

import io.kvgate.security.RateCounters;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.util.List;

/** Rate-limit window counters in Redis, one key per subject and window, expiring on their own. */
@Singleton
public class RedisRateCounters implements RateCounters {
  private final RedisCalls redis;
  private final Scripts scripts;
  private final KeySpace keys;

  RedisRateCounters(RedisCalls redis, Scripts scripts, KeySpace keys) {
    this.redis = redis;
    this.scripts = scripts;
    this.keys = keys;
  }

  @Override
  public Uni<Long> add(String subject, long window, long delta, long ttlMs) {
    return redis
        .script(scripts.rateAdd, List.of(keys.rateCounter(subject, window)), delta, ttlMs)
        .map(r -> r.toLong());
  }
}
