package io.kvgate.redis;

import io.kvgate.config.KvgateConfig;
import io.kvgate.core.IndexBackfills;
import io.kvgate.core.PrefixDeletes;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Removes expired entries in the background, so that their counts and bytes are freed even in
 * buckets nobody touches. One replica at a time does it (a Redis lock); reads never depend on it,
 * since every read checks expiry itself.
 */
@Singleton
public class ExpiryReaper {
  private final RedisKvStore store;
  private final Vertx vertx;
  private final long intervalMs;
  private final int batch;
  private final String owner = UUID.randomUUID().toString();
  private final AtomicBoolean running = new AtomicBoolean();
  private long timer = -1;

  ExpiryReaper(RedisKvStore store, Vertx vertx, KvgateConfig config) {
    this.store = store;
    this.vertx = vertx;
    this.intervalMs = Math.max(50, config.storage().reaperInterval().toMillis());
    this.batch = config.storage().reaperBatch();
  }

  void start(@Observes StartupEvent event) {
    timer = vertx.setPeriodic(intervalMs, id -> tick());
  }

  void stop(@Observes ShutdownEvent event) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  private void tick() {
    if (!running.compareAndSet(false, true)) {
      return;
    }
    store
        .tryReaperLock(owner, intervalMs)
        .chain(
            locked ->
                locked
                    ? store
                        .reapAll(batch)
                        .call(
                            () ->
                                store
                                    .continuePrefixDeletes(PrefixDeletes.SLICE, intervalMs / 2)
                                    .onFailure()
                                    .recoverWithItem(0L))
                        .call(
                            () ->
                                store
                                    .continueBackfills(IndexBackfills.SLICE, intervalMs / 4)
                                    .onFailure()
                                    .recoverWithItem(0L))
                    : io.smallrye.mutiny.Uni.createFrom().item(0L))
        .subscribe()
        .with(
            removed -> {
              if (removed > 0) {
                Log.debugf("Expired %d entries", removed);
              }
              running.set(false);
            },
            failure -> {
              Log.debugf("Expiry pass skipped: %s", failure.getMessage());
              running.set(false);
            });
  }
}
